"""The embedding model exported to ONNX, so questions are embedded without loading torch.

`export_query_encoder` runs once per model and machine (it uses sentence-transformers; `cache.py`
keeps the export in the user cache); `load_query_encoder` runs for every question and build with
onnxruntime and `tokenizers` only. Importing this package never
imports torch, transformers or sentence-transformers.
"""

from qa.encoders.export import export_query_encoder
from qa.encoders.manifest import EncoderManifest, EncoderUnavailableError
from qa.encoders.runtime import QueryEncoder, load_query_encoder, load_query_encoder_in_background

__all__ = [
    "EncoderManifest",
    "EncoderUnavailableError",
    "QueryEncoder",
    "export_query_encoder",
    "load_query_encoder",
    "load_query_encoder_in_background",
]
