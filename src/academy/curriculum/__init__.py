"""The catalogue as typed models: academy, roles, objectives, tracks, courses, lessons
and exercises, read from curriculum/, tracks/ and exercises/ with the line of every
value."""
