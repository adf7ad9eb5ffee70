"""Configuration of `serve`: environment variables plus one YAML file, read and validated once at start.

The environment variables are read once by bot.environment (`read_environment`, re-exported here);
every other part gets the values from there. Secrets live only in the environment, never in
the file, and are never logged or printed. Durations are parsed once into seconds (`Duration`);
the defaults of the escalation policy are those of `ReportPolicy`.

The YAML file (see config.example.yaml) has one section per channel under `channels:` (telegram,
wecom, dingtalk, web: a channel runs when its section is there and not `enabled: false`), each
with its own access rules, and the shared sections `rate_limit`, `privacy` and `reports`. Every key
is validated and an unknown key is an error, so a typo cannot silently switch a protection off.
`load_config` raises ConfigError with one readable line per problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationError,
    model_validator,
)

from bot.core.reports.escalation import DAY, HOUR, MINUTE, ChainStep, ReportPolicy
from bot.environment import (  # noqa: F401  (re-exported: the configuration's one entry point)
    DEFAULT_CONFIG,
    DEFAULT_DB,
    ENV_CACHE_DIR,
    ENV_CONFIG,
    ENV_DB,
    ENV_DINGTALK_SECRET,
    ENV_REPORT_KEY,
    ENV_REPORT_KEY_FILE,
    ENV_TOKEN,
    ENV_WECOM_SECRET,
    Environment,
    database_location,
    read_environment,
)

# The shape of a BotFather token: digits, a colon, 30+ URL-safe characters.
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")

Role = Literal["staff", "officer", "admin"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT = {"s": 1.0, "m": MINUTE, "h": HOUR, "d": DAY}


def parse_duration(value: object) -> float:
    """Seconds for "90s", "10m", "2h", "10d" or a plain number of seconds."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        m = _DURATION.match(str(value))
        if not m:
            raise ValueError(f"not a duration (use e.g. 10m, 2h, 10d): {value!r}")
        seconds = float(m.group(1)) * _UNIT[m.group(2)]
    if seconds < 0:
        raise ValueError(f"duration must not be negative: {value!r}")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
_POLICY = ReportPolicy()  # the defaults of the escalation policy


class ConfigError(Exception):
    """The configuration is unusable; `problems` are human-readable lines (never the token)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookConfig(_Section):
    """Webhook mode: Telegram POSTs updates to `url`; the bot listens on listen:port/path."""

    url: Annotated[str, Field(pattern=r"^https://\S+$", description="public https URL Telegram calls")]
    listen: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8443
    path: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-/]*$")] = "telegram"
    secret_token: SecretStr | None = None


class AccessConfig(_Section):
    """Who may use the bot: listed user ids and/or members of one staff group; roles by id."""

    allowed_user_ids: list[int] = []
    staff_group_id: int | None = None
    officers: list[int] = []
    admins: list[int] = []
    admin_chat_id: int | None = Field(default=None, description="chat told about errors (no user content)")
    membership_cache_seconds: Annotated[int, Field(ge=0, le=86400)] = 600

    @model_validator(mode="after")
    def _somebody_allowed(self) -> AccessConfig:
        if not (self.allowed_user_ids or self.staff_group_id or self.officers or self.admins):
            raise ValueError("nobody could use the bot: set allowed_user_ids, staff_group_id, officers or admins")
        return self

    def role_of(self, user_id: int) -> Role | None:
        """The role from the static lists, or None when the id is listed nowhere."""
        if user_id in self.admins:
            return "admin"
        if user_id in self.officers:
            return "officer"
        if user_id in self.allowed_user_ids:
            return "staff"
        return None


class TelegramConfig(_Section):
    """The Telegram bot (token: TELEGRAM_BOT_TOKEN); `access` lists Telegram user ids."""

    enabled: bool = True
    mode: Literal["polling", "webhook"] = "polling"
    # Bot API endpoint; the token is appended (python-telegram-bot's convention). Tests point it
    # at the local emulator; production leaves it unset.
    base_url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    poll_interval: Annotated[float, Field(ge=0, le=60)] = 0.0
    poll_timeout: Annotated[int, Field(ge=0, le=60)] = 10
    concurrent_updates: Annotated[int, Field(ge=1, le=256)] = 16
    webhook: WebhookConfig | None = None
    access: AccessConfig

    @model_validator(mode="after")
    def _webhook_needs_section(self) -> TelegramConfig:
        if self.mode == "webhook" and self.webhook is None:
            raise ValueError("mode is 'webhook' but the 'webhook' section (url, port, …) is missing")
        return self


class RateLimitConfig(_Section):
    """Per-user token bucket: `burst` messages at once, refilled at `per_minute`."""

    burst: Annotated[int, Field(ge=1, le=1000)] = 8
    per_minute: Annotated[float, Field(gt=0, le=6000)] = 30


class PrivacyConfig(_Section):
    """What is stored about conversations (docs/privacy.md). Questions and drafts: never by default."""

    store_votes: bool = True
    store_unanswered: bool = False
    retention_days: Annotated[float, Field(gt=0, le=3650)] = 90
    settings_retention_days: Annotated[float, Field(gt=0, le=3650)] = 365
    purge_interval_hours: Annotated[float, Field(gt=0, le=168)] = 6


# ----------------------------------------------------------------------------- leak reports
# The `reports:` section (reporting a suspected leak). Durations are "30s", "10m", "2h", "10d"
# or seconds. Officers default to channels.telegram.access.officers; deputy and head receive escalations.
class ReportChainStepConfig(_Section):
    after: Duration = 0
    notify: Literal["officers", "deputy", "head"] = "officers"


class ReportsConfig(_Section):
    enabled: bool = True
    key_file: Path | None = Field(default=None, description="report key, outside the database (libao report keygen)")
    officers: list[int] = []
    deputy: list[int] = []
    head: list[int] = []
    chain: list[ReportChainStepConfig] | None = None  # default: ReportPolicy's chain
    written_report_due: Duration = _POLICY.written_report_due
    written_report_lead: Duration = _POLICY.written_report_lead
    carrier_top_secret: Duration = _POLICY.carrier_top_secret
    carrier_other: Duration = _POLICY.carrier_other
    feedback_due: Duration = _POLICY.feedback_due
    feedback_lead: Duration = _POLICY.feedback_lead
    retention_after_resolution: Duration = _POLICY.retention_after_resolution
    draft_ttl: Duration = _POLICY.draft_ttl
    tick_seconds: Annotated[float, Field(ge=1, le=600)] = 15
    # How long one instance holds a due notification before another may send it: longer than any
    # send can take, short enough that a crashed instance's notices go out soon after.
    lease_seconds: Annotated[float, Field(ge=2, le=3600)] = 60

    def policy(self, *, fallback_officers: list[int] | tuple[int, ...]) -> ReportPolicy:
        """The escalation policy; officers default to `fallback_officers` (the Telegram access's officers)."""
        chain = (tuple(sorted((ChainStep(s.after, s.notify) for s in self.chain), key=lambda s: s.after))
                 if self.chain is not None else _POLICY.chain)
        return ReportPolicy(
            officers=tuple(self.officers or fallback_officers), deputy=tuple(self.deputy), head=tuple(self.head),
            chain=chain, written_report_due=self.written_report_due, written_report_lead=self.written_report_lead,
            carrier_top_secret=self.carrier_top_secret, carrier_other=self.carrier_other,
            feedback_due=self.feedback_due, feedback_lead=self.feedback_lead,
            retention_after_resolution=self.retention_after_resolution, draft_ttl=self.draft_ttl)


def report_policy(file_config: FileConfig) -> ReportPolicy:
    """The escalation policy of the leak reports (Telegram officers default to the Telegram access's)."""
    access = file_config.telegram_access
    return file_config.reports.policy(fallback_officers=access.officers if access is not None else ())
# ============================================================================= end LEAK REPORTS CONFIG


# ============================================================================= CHANNELS
# One section per channel under `channels:`. WeCom and DingTalk identify users by the enterprise's
# user ids and departments; their secrets come from the environment only.
_PLATFORM_ID = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.@$:+\-]{1,128}$")]


class ChannelAccessConfig(_Section):
    """Who may use a channel's bot, by the enterprise's user id or department id, and their role.
    `departments` maps a department id to its members' user ids (an export of the address book)."""

    allowed_users: list[_PLATFORM_ID] = []
    allowed_departments: list[_PLATFORM_ID] = []
    departments: dict[_PLATFORM_ID, list[_PLATFORM_ID]] = {}
    officers: list[_PLATFORM_ID] = []
    admins: list[_PLATFORM_ID] = []

    @model_validator(mode="after")
    def _somebody_allowed(self) -> ChannelAccessConfig:
        if not (self.allowed_users or self.allowed_departments or self.officers or self.admins):
            raise ValueError("nobody could use this bot: set allowed_users, allowed_departments, officers or admins")
        unknown = [d for d in self.allowed_departments if d not in self.departments]
        if unknown:
            raise ValueError(f"allowed_departments not listed under departments: {len(unknown)}")
        return self

    def role_of(self, user: str, departments: tuple[str, ...] = ()) -> Role | None:
        """The role of `user` (in `departments`, as the platform says), None when not admitted."""
        if user in self.admins:
            return "admin"
        if user in self.officers:
            return "officer"
        if user in self.allowed_users:
            return "staff"
        for dept in self.allowed_departments:
            if dept in departments or user in self.departments.get(dept, ()):
                return "staff"
        return None


class WeComConfig(_Section):
    """企业微信智能机器人, long-connection mode: its Bot ID (the secret is WECOM_BOT_SECRET)."""

    enabled: bool = True
    bot_id: _PLATFORM_ID
    secret: SecretStr = SecretStr("")
    ws_url: Annotated[str, Field(pattern=r"^wss?://\S+$")] | None = None  # default: the SDK's endpoint
    heartbeat_seconds: Annotated[float, Field(ge=1, le=300)] = 30
    access: ChannelAccessConfig


class DingTalkConfig(_Section):
    """钉钉 robot in Stream mode: the app's Client ID (AppKey); the secret is DINGTALK_CLIENT_SECRET."""

    enabled: bool = True
    client_id: _PLATFORM_ID
    client_secret: SecretStr = SecretStr("")
    access: ChannelAccessConfig


class WebConfig(_Section):
    """The intranet web page (staff chat, anonymous reporting, officers' console).

    Sign-in: a trusted header set by a single-sign-on reverse proxy, believed only from
    `trusted_proxies`, and/or built-in accounts (`libao user add`). Groups in `groups_header`
    map to roles; officers and admins of built-in accounts also need a TOTP code."""

    enabled: bool = True
    listen: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    tls_cert: Path | None = None
    tls_key: Path | None = None
    trusted_proxies: list[IPvAnyNetwork] = []
    user_header: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")] = "X-Remote-User"
    groups_header: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")] = "X-Remote-Groups"
    officer_groups: list[str] = []
    admin_groups: list[str] = []
    accounts: bool = True
    anonymous_reports: bool = True
    session_idle_minutes: Annotated[float, Field(gt=0, le=1440)] = 30
    session_max_hours: Annotated[float, Field(gt=0, le=168)] = 12
    login_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    login_window_minutes: Annotated[float, Field(gt=0, le=1440)] = 15

    @model_validator(mode="after")
    def _tls_pair(self) -> WebConfig:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together")
        if self.enabled and not self.accounts and not self.trusted_proxies:
            raise ValueError("nobody could sign in: enable accounts or list trusted_proxies")
        return self


class ChannelsConfig(_Section):
    """Every channel `serve` runs; a section present and not `enabled: false` starts its channel."""

    telegram: TelegramConfig | None = None
    wecom: WeComConfig | None = None
    dingtalk: DingTalkConfig | None = None
    web: WebConfig | None = None
    lease_seconds: Annotated[float, Field(ge=1, le=600)] = 30  # one process per long connection

    def active(self) -> list[str]:
        """Names of the channels that run."""
        return [name for name in ("telegram", "wecom", "dingtalk", "web")
                if (section := getattr(self, name)) is not None and section.enabled]

    def officer_keys(self) -> list[str]:
        """"channel:user_id" of every officer configured on WeCom or DingTalk."""
        out = []
        for name, section in (("wecom", self.wecom), ("dingtalk", self.dingtalk)):
            if section is not None and section.enabled:
                out += [f"{name}:{u}" for u in section.access.officers]
        return out
# ============================================================================= end CHANNELS


class FileConfig(_Section):
    """The YAML file's schema."""

    channels: ChannelsConfig = ChannelsConfig()  # see CHANNELS
    rate_limit: RateLimitConfig = RateLimitConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    reports: ReportsConfig = ReportsConfig()  # leak reports
    knowledge_dir: Path | None = None
    database: str | None = None  # SQLite file path or postgresql:// URL
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def telegram_access(self) -> AccessConfig | None:
        """Who may use the Telegram bot (None without a Telegram section)."""
        tg = self.channels.telegram
        return tg.access if tg is not None else None


class Config(_Section):
    """Everything `serve` needs, validated. `token` is a SecretStr: its repr is masked; it is empty
    when Telegram does not run."""

    token: SecretStr
    file: FileConfig
    database: Path | str  # a SQLite file (Path) or a postgresql:// URL (str)
    source: Path
    environment: Environment = Environment()

    @property
    def telegram(self) -> TelegramConfig:
        tg = self.file.channels.telegram
        if tg is None:
            raise ValueError("no channels.telegram section")
        return tg

    @property
    def access(self) -> AccessConfig:
        return self.telegram.access

    @property
    def rate_limit(self) -> RateLimitConfig:
        return self.file.rate_limit

    @property
    def privacy(self) -> PrivacyConfig:
        return self.file.privacy


def _pydantic_lines(exc: ValidationError, prefix: str) -> list[str]:
    out = []
    for err in exc.errors():  # err["msg"] never contains the input value
        where = ".".join(str(x) for x in err["loc"]) or "(top level)"
        out.append(f"{prefix}: {where}: {err['msg']}")
    return out


# A configuration is a few kB; the bound is checked before reading (a FIFO, a device or a huge file
# named as the config is refused, not waited on or loaded).
MAX_CONFIG_BYTES = 1_000_000


def read_file_config(path: Path) -> FileConfig:
    """Parse and validate the YAML file alone (raises ConfigError)."""
    from bot.core.yamlfile import DataError, load_with_lines

    if not path.exists() and not path.is_symlink():
        raise ConfigError([f"config file {path} not found (set {ENV_CONFIG} or create it from config.example.yaml)"])
    try:
        data, _ = load_with_lines(path, max_bytes=MAX_CONFIG_BYTES)
    except DataError as exc:
        # Messages name the file, the line and the reason, never a value (it may be a secret).
        problems = [str(p if not p.message.startswith("malformed YAML value") else
                        type(p)(p.file, p.line, "malformed YAML value")) for p in exc.problems]
        raise ConfigError(problems) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: must be a mapping with at least a 'channels' section"])
    try:
        return FileConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_pydantic_lines(exc, str(path))) from None


def load_config(env: Mapping[str, str] | None = None, *, config_path: Path | None = None) -> Config:
    """Read the environment and the YAML file once; every problem is reported, not just the first."""
    environment = read_environment(env)
    problems: list[str] = []
    token = environment.token
    path = environment.config_file(config_path)
    file_config: FileConfig | None = None
    try:
        file_config = read_file_config(path)
    except ConfigError as exc:
        problems.extend(exc.problems)
    active = file_config.channels.active() if file_config is not None else []
    if file_config is not None and not active:
        problems.append(f"{path}: no channel would run: configure at least one under `channels:` "
                        "(telegram, wecom, dingtalk, web)")
    if file_config is None or "telegram" in active:
        if not token:
            problems.append(f"{ENV_TOKEN} is not set (get a token from @BotFather; `python -m bot chat` needs none)")
        elif not _TOKEN_RE.match(token):
            problems.append(f"{ENV_TOKEN} does not look like a bot token (expected <digits>:<30+ characters>)")
    if file_config is not None:
        channels, channel_problems = _channel_secrets(file_config.channels, environment)
        problems += channel_problems
        file_config = file_config.model_copy(update={"channels": channels})
    if problems or file_config is None:
        raise ConfigError(problems)
    database = environment.database_file(configured=file_config.database)
    return Config(token=SecretStr(token), file=file_config, database=database, source=path, environment=environment)


def _channel_secrets(channels: ChannelsConfig, environment: Environment) -> tuple[ChannelsConfig, list[str]]:
    """The channels with each one's secret from the environment (never from the file)."""
    problems = []
    update: dict[str, object] = {}
    for name, attr, var, value in (("wecom", "secret", ENV_WECOM_SECRET, environment.wecom_secret),
                                   ("dingtalk", "client_secret", ENV_DINGTALK_SECRET, environment.dingtalk_secret)):
        section = getattr(channels, name)
        if section is None or not section.enabled:
            continue
        if getattr(section, attr).get_secret_value():
            problems.append(f"channels: keep the secret out of the config file; set {var} instead")
            continue
        if not value:
            problems.append(f"{var} is not set (the secret shown in the admin console)")
        elif len(value) < 8 or any(c.isspace() for c in value):
            problems.append(f"{var} does not look like a secret (8+ characters, no spaces)")
        else:
            update[name] = section.model_copy(update={attr: SecretStr(value)})
    return channels.model_copy(update=update), problems
