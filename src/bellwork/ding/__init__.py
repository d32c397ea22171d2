"""DING: urgent messages that must be confirmed (issue 11; docs/ding.md).

A sender picks people and units × roles, a text, channels (in-app always; text message and
email through `delivery`) and now or a minute later. The recipients are snapshotted at once,
one `Ding` row each; each gets a full-screen card on every device until they confirm it. The
sender watches confirmations arrive live, reminds the ones who have not (once per 5 minutes)
or recalls the DING.
"""
