"""``python -m emulator``: serve the QuickBooks Online emulator on localhost."""
import argparse
import logging
import os
import signal
import sys
import threading

from .seed import PRESETS
from .server import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USER, EmulatorServer, Settings


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="A local QuickBooks Online Accounting API v3 and Intuit OAuth 2.0 emulator. "
                    "Point intuitlib's environment at <url>.well-known/openid_configuration and "
                    "python-quickbooks' api_url_v3 at <url>v3.")
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    add("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    add("--preset", action="append", choices=PRESETS,
        help="company preset to load at start; repeat for several (default: us and uk)")
    add("--state-file", default="", help="JSON file to load at start (if it exists) and save at exit")
    add("--access-token-ttl", type=float, default=3600, help="access token lifetime, seconds (default 3600)")
    add("--refresh-token-ttl", type=float, default=8726400,
        help="refresh token rolling lifetime, seconds (default 8726400, about 101 days)")
    add("--refresh-grace", type=float, default=600,
        help="seconds a rotated refresh token keeps working (default 600)")
    add("--refresh-token-rotation", choices=("daily", "always"), default="daily",
        help="daily (default, as Intuit: the same refresh token for 24 h) or always (a new one each refresh)")
    add("--requests-per-minute", type=int, default=500, help="per-realm request limit (default 500)")
    add("--concurrent", type=int, default=10, help="per-realm concurrent requests (default 10)")
    add("--batch-per-minute", type=int, default=40, help="per-realm batch calls a minute (default 40)")
    add("--time-scale", type=float, default=1.0,
        help="throttle minutes last 60/scale seconds (default 1; 60 makes a minute last a second)")
    add("--throttle-shape", choices=("fault", "Fault", "xml"), default="fault",
        help="body of a 429: lowercase gateway JSON (default), capitalised Fault JSON, or XML")
    add("--no-throttle", action="store_true", help="turn every throttle off")
    add("--webhook-url", default=None, help="POST change notifications to this URL")
    add("--webhook-verifier", default=os.environ.get("QBO_EMULATOR_WEBHOOK_VERIFIER", ""),
        help="verifier token that signs webhooks (or env QBO_EMULATOR_WEBHOOK_VERIFIER)")
    add("--webhook-format", choices=("legacy", "cloudevents"), default="legacy",
        help="webhook payload format (default legacy)")
    add("--latency", action="store_true", default=None,
        help="answer after QuickBooks-like server time (about 250 ms a call, more for batches and "
             "reports; or env QBO_EMULATOR_LATENCY=1)")
    add("--seed", type=int, default=0, help="random seed for fault injection (default 0)")
    add("--log-level", default="INFO", help="log level of the per-request lines (default INFO)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    settings = Settings(host=args.host, port=args.port, presets=tuple(args.preset or ("us", "uk")),
                        state_file=args.state_file, seed=args.seed)
    settings.policy.access_token_ttl = args.access_token_ttl
    settings.policy.refresh_token_ttl = args.refresh_token_ttl
    settings.policy.refresh_grace = args.refresh_grace
    settings.policy.refresh_token_rotation = args.refresh_token_rotation
    limits = settings.limits
    limits.requests_per_minute, limits.concurrent = args.requests_per_minute, args.concurrent
    limits.batch_per_minute, limits.time_scale = args.batch_per_minute, args.time_scale
    limits.throttle_shape, limits.enabled = args.throttle_shape, not args.no_throttle
    if args.latency:
        settings.latency.enabled = True
    settings.webhook.url = args.webhook_url
    settings.webhook.verifier_token = args.webhook_verifier
    settings.webhook.format = args.webhook_format
    server = EmulatorServer(settings)
    if args.state_file and os.path.exists(args.state_file):
        server.emulator.load_state(args.state_file)
    print("QuickBooks Online emulator on %s" % server.url, flush=True)
    print("  OAuth discovery (intuitlib environment): %s" % server.discovery_url)
    print("  Accounting API base (python-quickbooks api_url_v3): %s" % server.api_url)
    print("  Demo app: %s / %s   demo user: %s / %s" % (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
                                                       DEMO_USER, DEMO_PASSWORD), flush=True)
    # Serve from a thread and only wait here: a signal then never lands inside the server's own
    # loop or a request, so Ctrl-C and SIGTERM always stop it cleanly and save the state file.
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stopping.set())
    server.start()
    while not stopping.wait(0.5):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
