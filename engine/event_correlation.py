"""client-go's EventCorrelator (tools/record/events_cache.go, release-1.32), which every Event of
a tools/record EventBroadcaster passes through before it is written:

1. the EventAggregator: Events alike but for their message — the same source, involved object,
   type, reason and reporting controller/instance — are counted by distinct message; once ten
   distinct messages have been seen with no gap of more than 600 s, each further one is turned
   into one "(combined from similar events): <message>" Event (so a 1,000-pod scale-up writes
   nine "Created pod: ..." Events and one combined Event instead of 1,000);
2. the eventLogger: an Event seen before (same key, message included) is a repeat — its count
   goes up and it is written as a PATCH of the Event first written for it;
3. the EventSourceObjectSpamFilter: a token bucket per source, object and type (burst 25,
   refilled at 1/300 per second); an Event without a token is not written at all — though the
   aggregator and the logger have counted it, so the next written repeat carries the full count.

Each of the three keeps an LRU of 4,096 keys. The keys here are tuples of the same fields the
upstream functions join into strings (getEventKey, getSpamKey, EventAggregatorByReasonFunc), the
source left out: there is one Correlator per source. `ref` is the involved object's (kind,
namespace, name, uid, apiVersion) — its resourceVersion and fieldPath are in none of the keys
but the logger's, which has the fieldPath.

The LRUs are plain dicts, whose order is insertion order: a key used again is popped and put back
at the end, and the first key is the least recently used (an OrderedDict's links would cost
~60 bytes a key, and a kubelet's correlator holds ~9 keys a pod).
"""
from __future__ import annotations

import struct

LRU_ENTRIES = 4096                    # maxLruCacheEntries
AGGREGATE_MAX_EVENTS = 10             # defaultAggregateMaxEvents
AGGREGATE_INTERVAL = 600.0            # defaultAggregateIntervalInSeconds
SPAM_BURST = 25                       # defaultSpamBurst
# defaultSpamQPS is 1/300 as a float32 (the rate limiter's qps parameter), then widened to the
# float64 rate.Limit: a token comes back after 299.99999 s, not 300.
SPAM_QPS: float = struct.unpack("f", struct.pack("f", 1.0 / 300.0))[0]
COMBINED_PREFIX = "(combined from similar events): "    # EventAggregatorByReasonMessageFunc


class Correlator:
    """One source's EventCorrelator: `correlate` is EventCorrelate (EventAggregate, eventObserve
    and the spam filter, in that order); `stored_combined` UpdateState's entry for a combined
    Event the store accepted."""

    __slots__ = ("aggregates", "log", "spam")

    def __init__(self):
        # aggregate key (ref, type, reason) -> [last seen, the distinct messages]; the messages
        # are one str while there is one (nearly always: one per pod and reason), else a dict
        # used as an insertion-ordered set.
        self.aggregates: dict[tuple, list] = {}
        # event key (ref, fieldPath, type, reason, message), or the aggregate key for the
        # combined Event -> [count, firstTimestamp, the Event's name]
        self.log: dict[tuple, list] = {}
        # spam key (ref, type) -> [tokens, when they were counted]
        self.spam: dict[tuple, list] = {}

    def correlate(self, ref: tuple, field_path, etype: str, reason: str, message: str,
                  now: float) -> tuple[bool, list, bool]:
        """Returns (combined, the logger's record, allowed): combined when the aggregator turned
        this Event into the combined one; the record's count is this occurrence's (1: a new
        Event, whose firstTimestamp and name the caller fills in — also when it is not allowed,
        as upstream names an Event before the spam filter sees it); allowed unless the spam
        filter drops it."""
        # EventAggregate
        akey = (ref, etype, reason)
        cache = self.aggregates
        rec = cache.pop(akey, None)
        if rec is None or now - rec[0] > AGGREGATE_INTERVAL:
            rec = [now, message]
            distinct = 1
        else:
            rec[0] = now
            seen = rec[1]
            if type(seen) is str:
                if seen != message:
                    rec[1] = seen = {seen: None, message: None}
                    distinct = 2
                else:
                    distinct = 1
            else:
                seen[message] = None
                distinct = len(seen)
        _put(cache, akey, rec)
        if distinct >= AGGREGATE_MAX_EVENTS:
            # The set is kept below the maximum by dropping one message: upstream PopAny takes
            # whichever Go's map iteration gives first (at random); here the oldest seen.
            seen = rec[1]
            del seen[next(iter(seen))]
            lkey: tuple = akey
            combined = True
        else:
            lkey = (ref, field_path, etype, reason, message)
            combined = False
        # eventObserve
        cache = self.log
        log = cache.pop(lkey, None)
        if log is None:
            log = [1, None, None]
        else:
            log[0] += 1
        _put(cache, lkey, log)
        # EventSourceObjectSpamFilter.Filter: golang.org/x/time/rate's AllowN(now, 1) on this
        # key's bucket (a new bucket is full)
        skey = (ref, etype)
        cache = self.spam
        bucket = cache.pop(skey, None)
        if bucket is None:
            bucket = [float(SPAM_BURST), now]
        tokens, last = bucket
        if now > last:
            tokens = min(tokens + (now - last) * SPAM_QPS, float(SPAM_BURST))
        tokens -= 1.0
        # (the limiter refuses when the wait for the missing fraction is a whole nanosecond)
        allowed = tokens >= 0.0 or int(1e9 * (-tokens / SPAM_QPS)) == 0
        if allowed:
            bucket[0], bucket[1] = tokens, now
        _put(cache, skey, bucket)
        return combined, log, allowed

    def stored_combined(self, ref: tuple, field_path, etype: str, reason: str, message: str,
                        log: list) -> None:
        """UpdateState after the combined Event was written: it is logged again under its own
        event key (its message the combined one), an entry nothing looks up but which takes its
        place in the LRU. (For any other Event that key is the one just observed.)"""
        key = (ref, field_path, etype, reason, message)
        cache = self.log
        cache.pop(key, None)
        _put(cache, key, list(log))


def _put(cache: dict, key, value) -> None:
    """An LRU's put of a key popped (or absent) before: it becomes the most recent, and the least
    recent goes once there are more than LRU_ENTRIES."""
    cache[key] = value
    if len(cache) > LRU_ENTRIES:
        del cache[next(iter(cache))]
