"""Consultations on rules (征求意见): put out for comment on the portal or held as a meeting; each
comment gets a decision, and the summary of what was adopted is published."""
