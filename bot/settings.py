"""One settings object per process, read from environment variables (prefix ASKVN_) and `.env`.

Every tunable of the running system lives here, so the README's settings table and this file are the
whole story. Secrets (tokens, keys) are only ever read from the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.embedding import DEFAULT_MODEL_DIR
from knowledge.policy import NEAR_DUPLICATE_THRESHOLD, Policy
from knowledge.scope_files import FOREIGN_PATH, OFF_TOPIC_PATH, PLACES_PATH, ScopeFiles

if TYPE_CHECKING:
    from knowledge.embedding.embedder import EmbeddingConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASKVN_", env_file=".env", extra="ignore")

    # Where things live
    knowledge_dir: Path = Field(PROJECT_ROOT / "knowledge" / "entries", description="Knowledge entry files")
    # The scope files every build carries (knowledge/scope_files.py); staff edit them like entries
    places_file: Path = Field(PLACES_PATH, description="Gazetteer of places in Vietnam")
    foreign_places_file: Path = Field(FOREIGN_PATH, description="What counts as a place outside Vietnam")
    off_topic_file: Path = Field(OFF_TOPIC_PATH, description="Examples of questions we do not answer")
    data_dir: Path = Field(PROJECT_ROOT / "var", description="Runtime data: indexes, logs, databases")
    rasa_model_dir: Path = Field(PROJECT_ROOT / "models", description="Trained Rasa models")
    rasa_venv: Path = Field(PROJECT_ROOT / ".venv-rasa", description="The Rasa server's own environment")

    # Embedding model: a local sentence-transformers directory or, with internet, any hub id
    embedding_model: str = Field(str(DEFAULT_MODEL_DIR))
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    allow_model_download: bool = Field(False, description="Let sentence-transformers fetch a hub model")
    compute_threads: int = Field(
        0, ge=0, description="Threads per process for the models (ONNX Runtime/PyTorch, Rasa's TensorFlow); 0: "
                             "one per core. `askvn cluster run` divides the cores among the replicas")
    embedding_backend: Literal["auto", "onnx", "torch"] = Field(
        "auto", description="auto: ONNX Runtime when set-up exported the model (same vectors, faster), else PyTorch")

    # Answer policy on the fused score (see knowledge/search.py); defaults live in knowledge.answering
    answer_threshold: float = Policy.answer_threshold
    clarify_threshold: float = Policy.clarify_threshold
    clarify_margin: float = Policy.clarify_margin
    likely_threshold: float = Policy.likely_threshold
    likely_margin: float = Policy.likely_margin
    out_of_scope_threshold: float = Policy.out_of_scope_threshold
    off_topic_margin: float | None = Policy.off_topic_margin
    max_message_chars: int = Field(1000, description="Longer messages are cut before NLU and get a polite 'too long'")
    max_body_bytes: int = Field(16384, description="Largest request body the REST channel accepts (413 above)")
    sender_burst: int = Field(10, description="Messages one conversation may send at once (REST, socket.io)")
    sender_refill_s: float = Field(2.0, description="Then one more message per this many seconds")
    address_burst: int = Field(200, description="Messages one client address may send at once")
    address_refill_s: float = Field(0.02, description="Then one more per this many seconds (50/s: NATs)")
    reply_timeout_s: float = Field(8.0, description="No reply within this: 'temporarily unavailable, try again'")

    # Staff workflow: `askvn kb validate` warnings
    stale_after_days: int = Field(365, description="Warn when an entry was last reviewed longer ago than this")
    near_duplicate_threshold: float = Field(
        NEAR_DUPLICATE_THRESHOLD, description="Warn when questions of two entries have at least this cosine similarity")

    # Processes and ports
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    action_endpoint: str | None = Field(
        None, description="Where Rasa calls the actions (containers: http://nginx:5055/webhook); default host:port")
    rasa_api_token: SecretStr | None = Field(None, description="Enables Rasa's HTTP API when set")
    channel_token: SecretStr | None = Field(
        None, description="Proves to Rasa's REST channel that a message comes from our Telegram relay (senders "
                          "tg-…); `askvn run` makes a random one per run when unset")
    session_secret: SecretStr | None = Field(
        None, description="Signs web chat session ids so no browser can name another's; `askvn run` makes a "
                          "random one per run when unset (sessions then restart with the server)")
    cors_origins: str = Field("http://localhost:8080 http://127.0.0.1:8080",
                              description="Space-separated origins allowed to call Rasa (REST and socket.io)")
    web_rasa_url: str | None = Field(
        None, description="Rasa as browsers reach it (web chat); default: the web page's host with rasa_port")
    web_audience: Literal["tourist", "investor", "resident", "student", "general"] | None = Field(
        None, description="The demo page's data-audience: who its visitors are (entries for them rank first)")
    startup_timeout_s: float = 300.0
    index_check_interval_s: float = 2.0

    # Privacy: a keyed hash turns user ids into pseudonyms in logs; random per process if unset
    pseudonym_key: SecretStr | None = None
    gap_retention_days: int = 180
    tracker_retention_days: int = Field(30, description="Conversations idle this long are deleted from the tracker")

    # Telegram (issue: channels); the bot starts only when the token is set
    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")

    # Shared state, for several replicas (docs/deployment.md). "embedded": SQLite tracker store and
    # in-memory lock store, one process of each (`askvn run`). "shared": PostgreSQL tracker store and
    # Redis lock store, so any Rasa replica can continue any conversation and two never handle one at once.
    stores: Literal["embedded", "shared"] = Field("embedded", description="embedded (SQLite) or shared "
                                                                           "(PostgreSQL + Redis)")
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_db: str = "askvn"
    postgres_user: str = "askvn"
    postgres_password: SecretStr | None = None
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_password: SecretStr | None = None
    # Longer than reply_timeout_s, after which the channels cancel a message's handling (and its lock) anyway
    lock_lifetime_s: int = Field(10, description="A conversation lock a crashed Rasa replica held expires after this")
    # `askvn cluster run` (make run-cluster): local servers and replicas on this machine, behind nginx
    cluster_dir: Path = Field(PROJECT_ROOT / ".cluster", description="Local Redis/PostgreSQL/nginx data and config")
    rasa_replicas: int = Field(2, ge=1, le=8, description="Rasa replicas behind nginx (ports rasa_port+1…)")
    action_replicas: int = Field(2, ge=1, le=8, description="Action servers behind nginx (ports action_port+1…)")
    proxy_rate_per_s: int = Field(50, description="nginx: requests per second per client address (cluster)")

    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field("text", description="json: one JSON object per line (log shippers)")

    def policy(self) -> Policy:
        return Policy(answer_threshold=self.answer_threshold, clarify_threshold=self.clarify_threshold,
                      clarify_margin=self.clarify_margin, likely_threshold=self.likely_threshold,
                      likely_margin=self.likely_margin, out_of_scope_threshold=self.out_of_scope_threshold,
                      max_chars=self.max_message_chars, off_topic_margin=self.off_topic_margin)

    def scope_files(self) -> ScopeFiles:
        return ScopeFiles(self.places_file, self.foreign_places_file, self.off_topic_file)

    def embedding(self) -> EmbeddingConfig:
        from knowledge.embedding.embedder import EmbeddingConfig  # numpy; only processes that embed need it

        return EmbeddingConfig(self.embedding_model, self.query_prefix, self.passage_prefix, self.allow_model_download,
                               self.embedding_backend, self.compute_threads)

    @property
    def pseudonym_secret(self) -> bytes | None:
        return self.pseudonym_key.get_secret_value().encode() if self.pseudonym_key else None

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def gap_db(self) -> Path:
        return self.data_dir / "gaps.sqlite"

    @property
    def source_check_log(self) -> Path:
        """`askvn kb check-sources` runs, one JSON line each (read by `askvn report`)."""
        return self.data_dir / "source-checks.jsonl"

    @property
    def tracker_db(self) -> Path:
        return self.data_dir / "rasa-tracker.sqlite"

    @property
    def rasa_endpoints(self) -> str:
        """Rasa's endpoints file for the chosen stores (both read the rest from the environment)."""
        return "endpoints.yml" if self.stores == "embedded" else "endpoints.shared.yml"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return self.action_endpoint or f"http://{self.host}:{self.action_port}/webhook"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
