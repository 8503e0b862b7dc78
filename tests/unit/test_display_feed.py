"""The display feed (shared/realtime/display_feed.py): a snapshot goes to the displays when what they show
changed, once for a burst of changes, never older than a change already announced."""
from __future__ import annotations

from antrean.shared.realtime.display_feed import DisplayFeed


class Office:
    """What the displays would show, and the snapshots sent to them."""

    def __init__(self):
        self.state = {"recent": [], "ready": [], "waiting": {"adminduk": 0}}
        self.clock = 0
        self.reads = 0
        self.sent: list[dict] = []
        self.during_read = None  # something that happens while a snapshot is being read

    def snapshot(self) -> dict:
        self.reads += 1
        self.clock += 1
        snap = {**self.state, "at": f"08:00:{self.clock:02d}"}  # the clock changes every read
        if self.during_read is not None:
            action, self.during_read = self.during_read, None
            action()
        return snap

    def send(self, snapshot: dict) -> None:
        self.sent.append(snapshot)


class Tasks:
    """Background tasks run by hand: ``run()`` runs what was started, as the server would later."""

    def __init__(self):
        self.started = []
        self.during_sleep = None

    def spawn(self, fn):
        self.started.append(fn)

    def sleep(self, _seconds):
        if self.during_sleep is not None:
            action, self.during_sleep = self.during_sleep, None
            action()

    def run(self):
        while self.started:
            self.started.pop(0)()


def background_feed(office, tasks, nudges=None):
    return DisplayFeed(office.snapshot, office.send, spawn=tasks.spawn, sleep=tasks.sleep, delay=0.1,
                       nudges=nudges)


def test_a_change_sends_a_snapshot_and_an_unchanged_state_is_not_sent_again():
    office = Office()
    feed = DisplayFeed(office.snapshot, office.send)  # inline
    feed.changed()
    assert [s["recent"] for s in office.sent] == [[]]
    feed.changed()  # a step that changes nothing a display shows (only the clock moved)
    assert len(office.sent) == 1
    office.state = {**office.state, "ready": ["B001"]}
    feed.changed()
    assert [s["ready"] for s in office.sent] == [[], ["B001"]]
    office.state = {**office.state, "ready": []}  # and back: sent again
    feed.changed()
    assert [s["ready"] for s in office.sent] == [[], ["B001"], []]


def test_a_burst_of_changes_is_read_and_sent_once_after_the_pause():
    office, tasks = Office(), Tasks()
    feed = background_feed(office, tasks)
    for n in range(5):
        office.state = {**office.state, "recent": [f"A00{n}"]}
        feed.changed()
    assert len(tasks.started) == 1 and office.sent == []  # nothing read in the clerk's request
    tasks.run()
    assert office.reads == 1
    assert [s["recent"] for s in office.sent] == [["A004"]]
    feed.changed()  # a later change starts the task again
    office.state = {**office.state, "recent": ["A005"]}
    tasks.run()
    assert [s["recent"] for s in office.sent] == [["A004"], ["A005"]]


def test_a_snapshot_overtaken_while_read_is_read_again_and_only_the_newer_one_is_sent():
    office, tasks = Office(), Tasks()
    feed = background_feed(office, tasks)
    feed.changed()

    def call_made_meanwhile():  # the call is announced (expect) while the older state is read
        feed.expect()
        office.state = {**office.state, "recent": ["A001"]}
        feed.changed()

    office.during_read = call_made_meanwhile
    tasks.run()
    assert office.reads == 2
    assert [s["recent"] for s in office.sent] == [["A001"]]  # the stale read never went out


def test_a_change_during_the_pause_joins_the_same_read():
    office, tasks = Office(), Tasks()
    feed = background_feed(office, tasks)
    feed.changed()
    tasks.during_sleep = lambda: (office.state.update(ready=["B001"]), feed.changed())
    tasks.run()
    assert office.reads == 1 and [s["ready"] for s in office.sent] == [["B001"]]


def test_after_a_display_connected_with_another_state_the_next_snapshot_goes_to_all():
    office = Office()
    feed = DisplayFeed(office.snapshot, office.send)
    feed.changed()
    # A display connects and gets its own snapshot, which holds a change made meanwhile; the
    # change is undone before the feed reads again: the others must not keep the old screen.
    feed.connected({**office.state, "ready": ["B001"], "at": "08:00:30"})
    feed.changed()
    assert len(office.sent) == 2 and office.sent[1]["ready"] == []
    feed.connected({**office.state, "at": "08:00:40"})  # the same as sent: nothing to do
    feed.changed()
    assert len(office.sent) == 2


def test_a_snapshot_that_cannot_be_read_is_tried_again():
    office, tasks = Office(), Tasks()
    feed = background_feed(office, tasks)
    failures = iter([RuntimeError("database away"), RuntimeError("still away")])
    read = office.snapshot

    def flaky():
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return read()

    feed._snapshot = flaky
    feed.changed()
    tasks.run()
    assert [s["recent"] for s in office.sent] == [[]]
    feed.changed()  # the feed is not stuck
    office.state = {**office.state, "ready": ["B001"]}
    tasks.run()
    assert office.sent[-1]["ready"] == ["B001"]


class RecordingNudges:
    def __init__(self):
        self.published = 0

    def publish(self):
        self.published += 1


def test_other_processes_are_told_of_local_changes_once_a_burst_and_never_of_their_own():
    office, tasks, nudges = Office(), Tasks(), RecordingNudges()
    feed = background_feed(office, tasks, nudges)
    feed.changed()
    feed.changed()
    told_before_the_pause = []
    tasks.during_sleep = lambda: told_before_the_pause.append(nudges.published)
    tasks.run()
    assert nudges.published == 1 and told_before_the_pause == [1]  # at once: all read together
    feed.changed(remote=True)  # another process changed something: read, but do not echo it
    tasks.run()
    assert nudges.published == 1 and office.reads == 2


def test_no_snapshot_is_read_while_no_display_is_connected():
    office, tasks = Office(), Tasks()
    displays = []
    feed = DisplayFeed(office.snapshot, office.send, spawn=tasks.spawn, sleep=tasks.sleep, delay=0.1,
                       audience=lambda: bool(displays))
    for _ in range(5):  # tickets issued with no display open
        feed.changed()
        tasks.run()
    assert office.reads == 0 and office.sent == [] and tasks.started == []
    displays.append("display")  # one connects (its own snapshot comes from its connect handler)
    feed.changed()
    tasks.run()
    assert office.reads == 1 and len(office.sent) == 1
    inline = DisplayFeed(office.snapshot, office.send, audience=lambda: False)
    inline.changed()
    assert office.reads == 1


def test_with_no_display_here_other_processes_are_still_told():
    office, tasks, nudges = Office(), Tasks(), RecordingNudges()
    feed = DisplayFeed(office.snapshot, office.send, spawn=tasks.spawn, sleep=tasks.sleep, delay=0.1,
                       nudges=nudges, audience=lambda: False)
    feed.changed()
    tasks.run()
    feed.changed()  # the next burst is told too
    tasks.run()
    assert nudges.published == 2 and office.reads == 0
