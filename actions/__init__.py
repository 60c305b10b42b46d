"""Custom actions of the court assistant (served by `rasa run actions --actions actions`).

rasa-sdk imports every module of this package and registers each concrete Action subclass.
"""

from actions.settings import start_problems

__all__ = ["start_problems"]  # the action server asks the package it serves this before it starts
