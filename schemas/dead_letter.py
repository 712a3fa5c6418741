"""DeadLetter: an input we could not process, kept with the reason."""

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class DeadLetter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    reason: str = Field(description="machine-readable: not_utf8, not_json, schema, too_large, ...")
    detail: str = Field(description="human-readable explanation, card numbers redacted")
    source_topic: str
    source_partition: int
    source_offset: int
    original_base64: str = Field(description="the original bytes, card-number-like runs redacted")
    original_size: int
    failed_at: AwareDatetime
