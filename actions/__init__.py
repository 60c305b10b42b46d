"""Custom actions of the court assistant (served by `rasa run actions --actions actions`).

rasa-sdk imports every module of this package and registers each concrete Action subclass.
"""
