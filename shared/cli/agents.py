"""`antrean speaker-agent` and `antrean print-agent`: the programs beside a PA system or a kiosk's printer."""
from __future__ import annotations

import sys

import click


@click.command("speaker-agent")
@click.option("--server", required=True, help="The Antrean server, e.g. http://10.0.0.5:5000")
@click.option("--wav-dir", default=None, type=click.Path(file_okay=False),
              help="Write each announcement to a numbered WAV file here instead of playing it.")
@click.option("--lang", type=click.Choice(["id", "en", "id+en"]), default=None,
              help="Announce in this language (default: as the office's display settings say).")
@click.option("--reading", type=click.Choice(["number", "digits"]), default=None,
              help="Read A012 as 'A dua belas' (number) or 'A nol satu dua' (digits).")
@click.option("--rate", default=150, show_default=True, type=int, help="Speaking rate, words per minute.")
@click.option("--voice-id", default=None, help="pyttsx3 voice for Indonesian (default: poz/id or an id-ID voice).")
@click.option("--voice-en", default=None, help="pyttsx3 voice for English.")
@click.option("--player", default=None,
              help="Command that plays a WAV file (default: found on PATH; winsound on Windows).")
@click.option("--cache", default=None, type=click.Path(file_okay=False), help="Phrase cache folder.")
@click.option("--no-chime", is_flag=True, help="Speak without the chime before each call.")
def speaker_agent(server, wav_dir, lang, reading, rate, voice_id, voice_en, player, cache, no_chime) -> None:
    """Speak every call on this machine's speakers (a PA system), in order, through pyttsx3."""
    import logging
    import signal

    from antrean.hardware.agents.speaker_agent import make_agent

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    agent = make_agent(server, wav_dir=wav_dir, lang=lang, reading=reading, chime=not no_chime, cache=cache,
                       rate=rate, voice_id=voice_id, voice_en=voice_en, player=player)
    ok, why = agent.synth.available((lang or "id").split("+")[0])
    click.echo(f"Antrean speaker agent for {server}")
    click.echo(f"  speech : {agent.synth.describe() if ok else f'unavailable ({why}); chime only'}")
    click.echo(f"  output : {agent.output.describe()}")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    try:
        agent.run()
    except KeyboardInterrupt:
        pass
    finally:
        agent.stop()


@click.command("print-agent")
@click.option("--server", required=True, help="The Antrean server, e.g. http://192.168.1.10:5000")
@click.option("--token", "token_value", envvar="ANTREAN_AGENT_TOKEN", required=True,
              help="The device token (`antrean token create` on the server); or ANTREAN_AGENT_TOKEN.")
@click.option("--printer", "printer_url", required=True,
              help="This machine's printer as a URL: usb://04b8:0e15, serial:///dev/ttyUSB0?baudrate=19200, "
                   "tcp://HOST:9100, cups://QUEUE, win32://PRINTER NAME, file:///PATH (see docs/printing.md).")
@click.option("--state", default=None, type=click.Path(dir_okay=False),
              help="File remembering the printed jobs (default: the user's state folder).")
def print_agent(server: str, token_value: str, printer_url: str, state: str | None) -> None:
    """Print the server's tickets on this machine's printer (kiosk PC with a USB printer)."""
    import logging
    import signal
    from pathlib import Path

    from antrean.hardware.agents.print_agent import AgentRefused, PrintAgent, default_state_file
    from antrean.hardware.printer import PrinterError, printer_from_url

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        printer = printer_from_url(printer_url, Path.cwd())
    except PrinterError as exc:
        raise click.ClickException(str(exc)) from None
    agent = PrintAgent(server, token_value, printer, state=Path(state) if state else default_state_file())
    click.echo(f"Antrean print agent for {server}")
    click.echo(f"  printer : {printer.describe()}")
    click.echo(f"  state   : {agent.printed.path}")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    try:
        agent.run()
    except AgentRefused as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        pass
    finally:
        agent.stop()
