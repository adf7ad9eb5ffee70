"""libao (礼保助手): an offline service-etiquette and secrecy assistant."""

__version__ = "0.1.0"
