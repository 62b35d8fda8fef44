"""termtem: find one child across Thai social-welfare registries.

The package holds what is neither pure matching logic (``matching``) nor Dagster wiring (``assets``,
``pipelines``): typed settings, the synthetic registry generator, file ingest, the golden store and the CLI.
"""

__version__ = "0.1.0"
