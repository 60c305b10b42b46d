"""Back-end services of the court assistant: the reference court-data service, the SMS adapter and the desk."""
