"""1:1 calls (免费电话): a voice or video call between two people (docs/calls.md)."""
