"""Title embeddings: a sentence-transformers model (multilingual e5 by default) behind one class.

Vectors are float32 and L2-normalized; e5 models get their ``passage: ``/``query: `` prefixes.
"""

from ytrec.encoders.title.compat import check_same_model
from ytrec.encoders.title.config import DEFAULT_TEXT_MODEL, TextModelConfig
from ytrec.encoders.title.embedder import TitleEmbedder
from ytrec.encoders.title.offline import OFFLINE_MODEL_ALIAS

__all__ = ["DEFAULT_TEXT_MODEL", "OFFLINE_MODEL_ALIAS", "TextModelConfig", "TitleEmbedder", "check_same_model"]
