import { App as AntApp, ConfigProvider } from "antd";
import zh_CN from "antd/locale/zh_CN";
import en_US from "antd/locale/en_US";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter } from "react-router-dom";
import { I18nProvider, useI18n } from "../i18n";
import { ErrorBridge, reportError } from "./errors";
import { AppRoutes } from "./routes";
import { ApiError } from "../api/http";

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (err, query) => {
      // A conversation one has just left (or was removed from) answers 404: its screen says so.
      if (query.meta?.quiet404 && err instanceof ApiError && err.status === 404) return;
      // A query whose refusal the screen itself handles (shows or hides what it is for).
      if (query.meta?.quiet) return;
      reportError(err);
    },
  }),
  mutationCache: new MutationCache({
    onError: (err, _v, _c, mutation) => {
      if (!mutation.meta?.silent) reportError(err);
    },
  }),
  defaultOptions: {
    queries: {
      retry: (n, err) => !(err instanceof ApiError && err.status > 0 && err.status < 500) && n < 2,
      refetchOnWindowFocus: false,
    },
  },
});

declare module "@tanstack/react-query" {
  interface Register {
    mutationMeta: { silent?: boolean };
    queryMeta: { quiet404?: boolean; quiet?: boolean };
  }
}

function Themed() {
  const { locale, t } = useI18n();
  dayjs.locale(locale === "en" ? "en" : "zh-cn");
  return (
    <ConfigProvider locale={locale === "en" ? en_US : zh_CN} theme={{ token: { borderRadius: 8 } }}>
      <AntApp>
        <BrowserRouter>
          <ErrorBridge t={t} />
          <AppRoutes />
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export function Root() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <Themed />
      </I18nProvider>
    </QueryClientProvider>
  );
}
