import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { Button, Result, Spin } from "antd";
import { useMe } from "../api/hooks";
import { accessFor } from "../access";
import { useT } from "../i18n";
import { LoginPage } from "../features/auth/LoginPage";
import { ChangePasswordPage } from "../features/auth/ChangePasswordPage";
import { AppLayout } from "../features/layout/AppLayout";
import { DirectoryPage } from "../features/directory/DirectoryPage";
import { errorText } from "./errors";

const UnitsPage = lazy(() => import("../features/units/UnitsPage"));
const ImportPage = lazy(() => import("../features/import/ImportPage"));
const TokensPage = lazy(() => import("../features/tokens/TokensPage"));
const AuditPage = lazy(() => import("../features/audit/AuditPage"));
const JobsPage = lazy(() => import("../features/jobs/JobsPage"));
const ChatPage = lazy(() => import("../features/chat/ChatPage"));
const WorkbenchPage = lazy(() => import("../features/workbench/WorkbenchPage"));
const MePage = lazy(() => import("../features/me/MePage"));
const QrApprovePage = lazy(() => import("../features/auth/QrApprovePage"));
const JoinPage = lazy(() => import("../features/chat/invite/JoinPage"));
const ForgotPasswordPage = lazy(() => import("../features/auth/ForgotPasswordPage"));
const DeliveriesPage = lazy(() => import("../features/delivery/DeliveriesPage"));
const DingListPage = lazy(() => import("../features/ding/DingListPage"));
const DingComposePage = lazy(() => import("../features/ding/DingComposePage"));
const DingDetailPage = lazy(() => import("../features/ding/DingDetailPage"));
const NotificationSettings = lazy(() => import("../features/chat/NotificationSettings"));

export function Loading() {
  return (
    <div className="bw-center" style={{ minHeight: 240 }}>
      <Spin />
    </div>
  );
}

function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  const t = useT();
  if (me.isPending) return <Loading />;
  if (me.isError)
    return (
      <Result
        status="warning"
        title={errorText(me.error, t)}
        extra={<Button onClick={() => void me.refetch()}>{t("common.retry")}</Button>}
      />
    );
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me.data.must_change_password) return <ChangePasswordPage forced />;
  return <>{children}</>;
}

function Guard({ allow, children }: { allow: (a: ReturnType<typeof accessFor>) => boolean; children: ReactNode }) {
  const me = useMe();
  const t = useT();
  if (!allow(accessFor(me.data))) return <Result status="403" title={t("common.forbidden")} />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function NotFound() {
  const t = useT();
  return <Result status="404" title={t("common.notFound")} extra={<Button href="/">{t("common.goHome")}</Button>} />;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/forgot" element={<Suspense fallback={<Spin />}><ForgotPasswordPage /></Suspense>} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/chat" replace />} />
        <Route path="/directory" element={<DirectoryPage />} />
        <Route path="/password" element={<ChangePasswordPage />} />
        <Route path="/units" element={<Guard allow={() => true}><UnitsPage /></Guard>} />
        <Route path="/import" element={<Guard allow={(a) => a.canManageSomething}><ImportPage /></Guard>} />
        <Route path="/tokens" element={<Guard allow={() => true}><TokensPage /></Guard>} />
        <Route path="/audit" element={<Guard allow={(a) => a.canSeeAudit}><AuditPage /></Guard>} />
        <Route path="/jobs" element={<Guard allow={(a) => a.canSeeJobs}><JobsPage /></Guard>} />
        <Route path="/deliveries" element={<Guard allow={(a) => a.canSeeJobs}><DeliveriesPage /></Guard>} />
        <Route path="/ding" element={<Guard allow={() => true}><DingListPage /></Guard>} />
        <Route path="/ding/new" element={<Guard allow={() => true}><DingComposePage /></Guard>} />
        <Route path="/ding/:id" element={<Guard allow={() => true}><DingDetailPage /></Guard>} />
        <Route path="/workbench" element={<Guard allow={() => true}><WorkbenchPage /></Guard>} />
        <Route path="/qr/:code" element={<Guard allow={() => true}><QrApprovePage /></Guard>} />
        <Route path="/join/:code" element={<Guard allow={() => true}><JoinPage /></Guard>} />
        <Route path="/me" element={<Guard allow={() => true}><MePage /></Guard>} />
        <Route path="/settings/notifications" element={<Guard allow={() => true}><NotificationSettings /></Guard>} />
        <Route path="/chat/:conversationId?" element={<Guard allow={() => true}><ChatPage /></Guard>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
