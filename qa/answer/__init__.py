"""Answer: resolve follow-ups, read windows of the passages, cite, attribute and compose the reply."""
