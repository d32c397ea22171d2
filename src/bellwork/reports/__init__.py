"""Work reports (日志 / 汇报, issue 14; docs/reports.md).

A report template **is a forms template** (`forms.models.FormTemplate` with
`purpose="report"`) plus a `ReportTemplate` row that says how often it is written (daily,
weekly, monthly), when it is due and how to remind. We reuse forms' template and version
machinery rather than keep a definition of our own, because everything a report template
needs is already there and would otherwise be copied: the field kinds and their validation
(`forms.fields.check_answers`), the definition check on save (`forms.rules.FormDefinition`),
versions that freeze once used (a report keeps the version it was written on, exactly as a
form submission does: `FormVersion.used`), who may design (`forms.templates.may_design`), the
audit of edits, and the web designer (`/forms/templates/:id` edits a report template as is).
`purpose` only keeps report templates out of forms' own template list.

A report's comment thread is **not** a chat conversation: a conversation per report would fill
everybody's chat list with threads nobody opened. The thread uses chat's receipt idea instead
— a per-reader cursor (`ReportReader.seen_seq`): who has read comment `seq` = the readers whose
cursor is at or past it, no row per (comment, reader).

Rooms: `templates.py` (report templates, built-ins), `writing.py` (submit, read, inbox),
`comments.py`, `team.py` (a manager's day view, sums, export), `reminders.py` (the job),
`live.py` (events), `tiles.py` (the workbench tile), `api.py`."""
