"""Steward review: the web app and command line where stewards decide the pairs the model is unsure of.

Decisions go to the golden store's ``steward_decision`` table and every later run applies them as must-link or
cannot-link (:mod:`matching.steward`). Users, sessions and the audit trail are in
:mod:`termtem.golden_store.review_schema`.
"""
