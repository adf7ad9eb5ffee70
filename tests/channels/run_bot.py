"""`libao serve` as the e2e tests start it: the real command, with the test certificate authority
added to the WeCom SDK's TLS store (the fake WeCom server's certificate is self-signed)."""

from __future__ import annotations

import os
import sys

import aibot.ws

aibot.ws._SSL_CONTEXT.load_verify_locations(cafile=os.environ["LIBAO_TEST_CA"])

from bot.cli.main import main  # noqa: E402 - after the trust store is ready

sys.exit(main(["serve", *sys.argv[1:]]))
