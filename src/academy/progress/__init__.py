"""The progress store: every answer a learner gives in a click-through lesson."""
