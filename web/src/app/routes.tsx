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

const LessonsPage = lazy(() => import("../features/lessons/LessonsPage"));
const LessonPage = lazy(() => import("../features/lessons/LessonPage"));
const LessonAttendancePage = lazy(() => import("../features/lessons/AttendancePage"));
const MeetingsPage = lazy(() => import("../features/meetings/MeetingsPage"));
const MeetingPage = lazy(() => import("../features/meetings/MeetingPage"));
const MeetingAttendancePage = lazy(() => import("../features/meetings/AttendancePage"));
const UnitsPage = lazy(() => import("../features/units/UnitsPage"));
const UnitSettingsPage = lazy(() => import("../features/units/UnitSettingsPage"));
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
const NoticesInboxPage = lazy(() => import("../features/notices/NoticesInboxPage"));
const NoticeSentPage = lazy(() => import("../features/notices/NoticeSentPage"));
const NoticeComposePage = lazy(() => import("../features/notices/NoticeComposePage"));
const NoticeDetailPage = lazy(() => import("../features/notices/NoticeDetailPage"));
const NoticeStatsPage = lazy(() => import("../features/notices/NoticeStatsPage"));
const FormsTodoPage = lazy(() => import("../features/forms/TodoPage"));
const FormsFillPage = lazy(() => import("../features/forms/FillPage"));
const FormsTemplatesPage = lazy(() => import("../features/forms/TemplatesPage"));
const FormsDesignerPage = lazy(() => import("../features/forms/DesignerPage"));
const FormsCampaignsPage = lazy(() => import("../features/forms/CampaignsPage"));
const FormsCampaignNewPage = lazy(() => import("../features/forms/CampaignNewPage"));
const FormsStatsPage = lazy(() => import("../features/forms/StatsPage"));
const FormsCasesPage = lazy(() => import("../features/forms/CasesPage"));
const ReportsPage = lazy(() => import("../features/reports/ReportsPage"));
const ReportWritePage = lazy(() => import("../features/reports/WritePage"));
const ReportDetailPage = lazy(() => import("../features/reports/DetailPage"));
const ReportTeamPage = lazy(() => import("../features/reports/TeamPage"));
const ReportTemplatesPage = lazy(() => import("../features/reports/TemplatesPage"));
const ApprovalsPage = lazy(() => import("../features/approvals/ApprovalsPage"));
const ApprovalSubmitPage = lazy(() => import("../features/approvals/SubmitPage"));
const ApprovalDetailPage = lazy(() => import("../features/approvals/DetailPage"));
const ApprovalDelegationPage = lazy(() => import("../features/approvals/DelegationPage"));
const ApprovalTemplatesPage = lazy(() => import("../features/approvals/TemplatesPage"));
// attendance (issue 14)
const AttendancePage = lazy(() => import("../features/attendance/CheckInPage"));
const AttendancePassPage = lazy(() => import("../features/attendance/PassPage"));
const AttendanceGatePage = lazy(() => import("../features/attendance/GatePage"));
const AttendanceStatsPage = lazy(() => import("../features/attendance/StatsPage"));
const AttendanceMyMonthPage = lazy(() => import("../features/attendance/MyMonthPage"));
const AttendanceRulePage = lazy(() => import("../features/attendance/RulePage"));
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
        <Route path="/units/:id/settings" element={<Guard allow={() => true}><UnitSettingsPage /></Guard>} />
        <Route path="/import" element={<Guard allow={(a) => a.canManageSomething}><ImportPage /></Guard>} />
        <Route path="/tokens" element={<Guard allow={() => true}><TokensPage /></Guard>} />
        <Route path="/audit" element={<Guard allow={(a) => a.canSeeAudit}><AuditPage /></Guard>} />
        <Route path="/jobs" element={<Guard allow={(a) => a.canSeeJobs}><JobsPage /></Guard>} />
        <Route path="/deliveries" element={<Guard allow={(a) => a.canSeeJobs}><DeliveriesPage /></Guard>} />
        <Route path="/ding" element={<Guard allow={() => true}><DingListPage /></Guard>} />
        <Route path="/ding/new" element={<Guard allow={() => true}><DingComposePage /></Guard>} />
        <Route path="/ding/:id" element={<Guard allow={() => true}><DingDetailPage /></Guard>} />
        <Route path="/notices" element={<Guard allow={() => true}><NoticesInboxPage /></Guard>} />
        <Route path="/notices/sent" element={<Guard allow={() => true}><NoticeSentPage /></Guard>} />
        <Route path="/notices/new" element={<Guard allow={() => true}><NoticeComposePage /></Guard>} />
        <Route path="/notices/:id" element={<Guard allow={() => true}><NoticeDetailPage /></Guard>} />
        <Route path="/notices/:id/edit" element={<Guard allow={() => true}><NoticeComposePage /></Guard>} />
        <Route path="/notices/:id/stats" element={<Guard allow={() => true}><NoticeStatsPage /></Guard>} />
        <Route path="/reports" element={<Guard allow={() => true}><ReportsPage /></Guard>} />
        <Route path="/reports/write" element={<Guard allow={() => true}><ReportWritePage /></Guard>} />
        <Route path="/reports/write/:templateId" element={<Guard allow={() => true}><ReportWritePage /></Guard>} />
        <Route path="/reports/team" element={<Guard allow={() => true}><ReportTeamPage /></Guard>} />
        <Route path="/reports/templates" element={<Guard allow={() => true}><ReportTemplatesPage /></Guard>} />
        <Route path="/reports/:id" element={<Guard allow={() => true}><ReportDetailPage /></Guard>} />
        <Route path="/approvals" element={<Guard allow={() => true}><ApprovalsPage /></Guard>} />
        <Route path="/approvals/new" element={<Guard allow={() => true}><ApprovalSubmitPage /></Guard>} />
        <Route path="/approvals/new/:templateId" element={<Guard allow={() => true}><ApprovalSubmitPage /></Guard>} />
        <Route path="/approvals/templates" element={<Guard allow={() => true}><ApprovalTemplatesPage /></Guard>} />
        <Route path="/approvals/delegation" element={<Guard allow={() => true}><ApprovalDelegationPage /></Guard>} />
        <Route path="/approvals/:id" element={<Guard allow={() => true}><ApprovalDetailPage /></Guard>} />
        <Route path="/attendance" element={<Guard allow={() => true}><AttendancePage /></Guard>} />
        <Route path="/attendance/pass" element={<Guard allow={() => true}><AttendancePassPage /></Guard>} />
        <Route path="/attendance/gate" element={<Guard allow={() => true}><AttendanceGatePage /></Guard>} />
        <Route path="/attendance/stats" element={<Guard allow={() => true}><AttendanceStatsPage /></Guard>} />
        <Route path="/attendance/mine" element={<Guard allow={() => true}><AttendanceMyMonthPage /></Guard>} />
        <Route path="/attendance/rules" element={<Guard allow={() => true}><AttendanceRulePage /></Guard>} />
        <Route path="/forms" element={<Guard allow={() => true}><FormsTodoPage /></Guard>} />
        <Route path="/forms/fill/:campaignId/:subjectId" element={<Guard allow={() => true}><FormsFillPage /></Guard>} />
        <Route path="/forms/templates" element={<Guard allow={() => true}><FormsTemplatesPage /></Guard>} />
        <Route path="/forms/templates/:id" element={<Guard allow={() => true}><FormsDesignerPage /></Guard>} />
        <Route path="/forms/campaigns" element={<Guard allow={() => true}><FormsCampaignsPage /></Guard>} />
        <Route path="/forms/campaigns/new" element={<Guard allow={() => true}><FormsCampaignNewPage /></Guard>} />
        <Route path="/forms/campaigns/:id" element={<Guard allow={() => true}><FormsStatsPage /></Guard>} />
        <Route path="/forms/cases" element={<Guard allow={() => true}><FormsCasesPage /></Guard>} />
        <Route path="/lessons" element={<Guard allow={() => true}><LessonsPage /></Guard>} />
        <Route path="/lessons/:id" element={<Guard allow={() => true}><LessonPage /></Guard>} />
        <Route path="/lessons/:id/attendance" element={<Guard allow={() => true}><LessonAttendancePage /></Guard>} />
        <Route path="/meetings" element={<Guard allow={() => true}><MeetingsPage /></Guard>} />
        <Route path="/meetings/:id" element={<Guard allow={() => true}><MeetingPage /></Guard>} />
        <Route path="/meetings/:id/attendance" element={<Guard allow={() => true}><MeetingAttendancePage /></Guard>} />
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
