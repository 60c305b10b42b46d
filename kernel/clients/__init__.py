"""Clients the actions use to reach other services (court data, work orders); no Rasa actions here."""
