"""Measured recommendation quality: label relevance, ranking metrics, systems compared on the same
queries, copy detection, fusion tuning, and the report (``ytrec evaluate`` / ``ytrec tune``)."""
