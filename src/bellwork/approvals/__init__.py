"""Approvals (审批, issue 14; docs/approvals.md)."""
