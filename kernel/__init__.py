"""The shared kernel: what several processes (Rasa server, action server, desk, court-data service)
need to agree on, and nothing that belongs to one of them.

It is the leaf of the import graph: it imports none of `bot`, `actions` or `services`, and they share
code only through it (pyproject's import-linter contracts, checked by tests/test_layers.py).

- names, contracts: the intent/slot/action names of domain.yml and the words the processes exchange
  (work-order kinds, channels, the staff marker and the push body);
- nlu/: the identifier edges (digits, check digits, ID, credit code, phone, case number), the
  normaliser and the identity reader, pure functions used in the NLU pipeline and by the actions;
- privacy, logmask: masking of ID and phone numbers in text and in logs;
- kv: the small key-value store (memory or Redis) for counters, locks and pending codes;
- sms: the SMS gateway adapters; clients/: the court-data and work-order HTTP clients;
- transcript: one reading of tracker events as a conversation; court, faq: the served court's facts.
"""
