"""The corridor monitor: incident feeds in, verdicts per corridor and window out, re-plans."""
