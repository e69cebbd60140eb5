"""Milvus as the vector store for catalogs beyond one machine: one collection per signal.

The bundle keeps the catalog, models and manifest; the vectors live in Milvus (see README
"Beyond one machine"). ``server`` runs a local standalone server for development and tests.
"""
