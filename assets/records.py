"""The records linkage works on: every registry's usable normalised rows, and the rows no stage can use."""

import dagster as dg
import pandas as pd

from assets.registries import SOURCES
from quality.quarantine import quarantine_rows


@dg.asset(group_name="link", kinds={"pandas"},
          ins={f"raw_{source}": dg.AssetIn(f"raw_{source}") for source in SOURCES}
          | {f"normalised_{source}": dg.AssetIn(f"normalised_{source}") for source in SOURCES},
          description="Rows no stage can use, with source, row number, raw values and a reason code.")
def quarantined_records(context: dg.AssetExecutionContext, **frames: pd.DataFrame) -> pd.DataFrame:
    parts = [quarantine_rows(frames[f"raw_{source}"], frames[f"normalised_{source}"]["quarantine_reason"])
             for source in SOURCES]
    quarantined = pd.concat(parts, ignore_index=True)
    context.add_output_metadata({"rows": len(quarantined),
                                 "by_reason": dg.MetadataValue.json(
                                     quarantined["reason"].value_counts().to_dict())})
    return quarantined


@dg.asset(group_name="link", kinds={"pandas"},
          ins={source: dg.AssetIn(f"normalised_{source}") for source in SOURCES},
          description="All usable normalised records of every registry, one position each.")
def linkable_records(context: dg.AssetExecutionContext, **normalised: pd.DataFrame) -> pd.DataFrame:
    usable = [frame[frame["quarantine_reason"].isna()].drop(columns="quarantine_reason")
              for frame in normalised.values()]
    records = pd.concat(usable, ignore_index=True)
    records["record_id"] = records["source"] + ":" + records["source_row"].astype(str)
    context.add_output_metadata({"records": len(records),
                                 "by_source": dg.MetadataValue.json(records["source"].value_counts().to_dict())})
    return records
