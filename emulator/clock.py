"""The emulator's clock: real time plus an offset the admin API can set."""
import datetime
import threading
import time


class Clock:
    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        """Seconds since the epoch, as the emulated Intuit sees them."""
        return time.time() + self._offset

    def set(self, epoch):
        with self._lock:
            self._offset = float(epoch) - time.time()

    def advance(self, seconds):
        with self._lock:
            self._offset += float(seconds)

    def reset(self):
        with self._lock:
            self._offset = 0.0


def qbo_timestamp(epoch=None, utc_offset_minutes=0):
    """``2015-07-24T10:33:39.110-07:00``: the format of QBO's ``time`` and MetaData."""
    epoch = time.time() if epoch is None else epoch
    tz = datetime.timezone(datetime.timedelta(minutes=utc_offset_minutes))
    moment = datetime.datetime.fromtimestamp(epoch, tz)
    return moment.isoformat(timespec="milliseconds")


def parse_timestamp(text, default_offset_minutes=0):
    """Parse a QBO date or datetime to epoch seconds.

    A datetime without an offset is read in the company's time zone (the
    behaviour clients of QBO report for CDC ``changedSince``); a bare date
    means its midnight there.
    """
    text = text.strip()
    if len(text) == 10:
        text += "T00:00:00"
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone(
            datetime.timedelta(minutes=default_offset_minutes)))
    return moment.timestamp()


def qbo_date(epoch, utc_offset_minutes=0):
    tz = datetime.timezone(datetime.timedelta(minutes=utc_offset_minutes))
    return datetime.datetime.fromtimestamp(epoch, tz).date().isoformat()
