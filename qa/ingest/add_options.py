"""What `qa add` was told about a file (`--outlet`, `--map`, `--date-order`…), stored beside the copy it made.

Its own module: reading a file needs its options, and staging (which writes them) needs reading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.errors import MetadataError
from qa.ingest.bounds import MAX_METADATA_SIZE
from qa.ingest.dates import DateOrder
from qa.ingest.metadata import Candidate, explicit_candidates
from qa.models import MetadataSource

ADD_OPTIONS_SUFFIX = ".qa-add.json"


class AddOptions(BaseModel):
    """What `qa add` was told about a file."""

    model_config = ConfigDict(extra="forbid")

    overrides: dict[str, Any] = Field(default_factory=dict)
    """`--outlet`, `--date`, `--url`, `--title` values (as ExplicitMetadata fields)."""
    field_map: dict[str, str] = Field(default_factory=dict)
    """`--map` entries: our field name -> dotted path in the file's records."""
    date_order: DateOrder | None = None
    """`--date-order`: how to read the file's numeric dates such as 03/04/2024 (DMY or MDY)."""

    def candidates(self, origin: str) -> list[Candidate]:
        if not self.overrides:
            return []
        return explicit_candidates(self.overrides, origin=origin, source=MetadataSource.FLAG)

    def updated_with(self, given: AddOptions) -> AddOptions:
        """These stored options with the ones given now on top, field by field (a flag not given is kept)."""
        merged = self.model_dump()
        for name, value in given.model_dump(exclude_defaults=True).items():
            merged[name] = {**merged[name], **value} if isinstance(value, dict) else value
        return AddOptions.model_validate(merged)


def options_path(path: Path) -> Path:
    return path.with_name(path.name + ADD_OPTIONS_SUFFIX)


def is_options_file(path: Path) -> bool:
    return path.name.endswith(ADD_OPTIONS_SUFFIX)


def read_add_options(path: Path, *, origin: str) -> AddOptions:
    """The options stored for `path` by `qa add`, or none."""
    stored = options_path(path)
    if not stored.is_file():
        return AddOptions()
    try:
        with stored.open("rb") as file:
            data = file.read(MAX_METADATA_SIZE + 1)
        if len(data) > MAX_METADATA_SIZE:
            raise MetadataError(
                f"{origin}{ADD_OPTIONS_SUFFIX}: is over {MAX_METADATA_SIZE // 1024} KB, not options `qa add` wrote; "
                "delete it and run `qa add` for the file again"
            )
        return AddOptions.model_validate_json(data)
    except (OSError, ValidationError) as error:
        raise MetadataError(
            f"{origin}{ADD_OPTIONS_SUFFIX}: cannot be read ({type(error).__name__}); run `qa add` for the file again"
        ) from None
