"""Pure record-linkage library for Thai registries: normalisation, linkage, clustering.

Nothing in this package imports Dagster; the asset modules in ``assets/`` call into it.
"""
