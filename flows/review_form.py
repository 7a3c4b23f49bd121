"""The review in a Prefect form: a motion "zu prüfen" gets a paused flow run whose form shows
each doubtful field filled in as the intake read it, with why it is doubtful.

Staff change what is wrong and tick „geprüft“; submitting is the `review` step, exactly as
`ratsfrist review --set … --confirm` (a changed field is a correction, an unchanged one is
confirmed as read). An invalid entry opens the form again with the reason on top.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field, create_model

from flows import app
from flows.lifecycle import run_as_flow
from models.domain.errors import RatsfristError
from models.domain.review import WORDS, field_of
from models.domain.states import State
from models.domain.steps import FieldError

ACTOR_DEFAULT = "Prefect-UI"

#: The German title of each field the form can offer (the word `--set` takes, capitalised).
TITLES: dict[str, str] = {
    "titel": "Titel",
    "untertitel": "Untertitel",
    "nummer": "Nummer (Drucksache)",
    "datum": "Datum",
    "status": "Status (öffentlich / nichtöffentlich)",
    "art": "Dokumentart",
    "rechtsgrundlage": "Rechtsgrundlage",
    "antragsteller": "Antragsteller (mit ; getrennt)",
    "beschlussvorschlag": "Beschlussvorschlag",
    "begründung": "Begründung / Sachverhalt",
    "fragen": "Fragen (eine je Zeile)",
    "unterzeichner": "Unterzeichner (mit ; getrennt)",
    "anlagen": "Anlagen (mit ; getrennt)",
}


def as_read(view: dict[str, Any], word: str) -> str:
    """The value of a field as the intake read it, as text the form shows and staff edit
    (`view` is models.services.views.paper_view)."""
    values: dict[str, Any] = {
        "titel": view["name"],
        "untertitel": view["subtitle"],
        "nummer": view["reference"],
        "datum": date.fromisoformat(view["date"]).strftime("%d.%m.%Y"),
        "status": "öffentlich" if view["public"] else "nichtöffentlich",
        "art": view["paperType"],
        "rechtsgrundlage": view["legalBasis"],
        "antragsteller": "; ".join(view["submitters"]),
        "beschlussvorschlag": view["resolutionProposal"],
        "begründung": view["reasoning"],
        "fragen": "\n".join(view["questions"]),
        "unterzeichner": "; ".join(s.get("name", "") for s in view["signatories"]),
        "anlagen": "; ".join(view["attachments"]),
    }
    return values.get(word) or ""


def form_fields(view: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Form field name → (the `--set` key, German title, prefilled value) for every doubtful
    field; the Beratungsfolge as one committee and one date field per row."""
    fields: dict[str, tuple[str, str, str]] = {}
    reasons: dict[str, list[str]] = {}
    for doubt in view["uncertain"]:
        reasons.setdefault(WORDS.get(field_of(doubt["field"]), ""), []).append(doubt["reason"])
    for word in reasons:
        if word == "beratungsfolge":
            for row in view["proposedConsultations"]:
                n = row["position"]
                day = row.get("meeting_date")
                shown = date.fromisoformat(day).strftime("%d.%m.%Y") if day else ""
                fields[f"gremium_{n}"] = (
                    f"gremium.{n}",
                    f"Gremium (Zeile {n})",
                    row["organization"],
                )
                fields[f"sitzung_{n}"] = (f"sitzung.{n}", f"Sitzung am (Zeile {n})", shown)
        elif word in TITLES:
            fields[word.replace("ü", "ue")] = (word, TITLES[word], as_read(view, word))
    return fields


def build_form(view: dict[str, Any]) -> tuple[type[RunInput], dict[str, Any]]:
    """The form for this motion and its prefilled values: one text field per doubtful field
    (its description says why the intake doubted it), „geprüft“, and who checks."""
    why = {WORDS.get(field_of(d["field"]), d["field"]): d["reason"] for d in view["uncertain"]}
    specs: dict[str, Any] = {}
    prefill: dict[str, Any] = {}
    for name, (key, title, value) in form_fields(view).items():
        word = key.split(".")[0]
        reason = why.get("beratungsfolge" if word in ("gremium", "sitzung") else word, "")
        specs[name] = (
            str,
            Field(
                default=value, title=title, description=f"unsicher: {reason}" if reason else title
            ),
        )
        prefill[name] = value
    specs["geprueft"] = (
        bool,
        Field(
            default=False,
            title="geprüft",
            description="ankreuzen, wenn alle Felder stimmen (geänderte Felder werden "
            "berichtigt, die übrigen wie gelesen bestätigt); danach laufen die Fristen",
        ),
    )
    specs["actor"] = (
        str,
        Field(
            default=ACTOR_DEFAULT,
            title="geprüft von",
            description="Ihr Name oder Kürzel; erscheint im Verlauf der Vorlage als „wer“",
        ),
    )
    form = create_model("ReviewForm", __base__=RunInput, __module__=__name__, **specs)
    form.__doc__ = "Unsichere Felder einer Vorlage prüfen."
    form.model_config["title"] = "Vorlage prüfen"
    form.model_rebuild(force=True)
    return form, prefill


def corrections_from(form: Any, view: dict[str, Any]) -> dict[str, str]:
    """The fields staff changed, as `--set` keys; unchanged ones are confirmed as read."""
    if not getattr(form, "geprueft", False):
        raise RatsfristError("„geprüft“ ist nicht angekreuzt: nichts übernommen")
    changed: dict[str, str] = {}
    for name, (key, _title, value) in form_fields(view).items():
        entered = getattr(form, name, value)
        if " ".join(str(entered).split()) != " ".join(value.split()):
            changed[key] = str(entered)
    return changed


def intro(view: dict[str, Any]) -> str:
    title = view["name"] if view["public"] else "nichtöffentlich"
    doubts = "\n".join(
        f"- **{WORDS.get(field_of(d['field']), d['field'])}**: {d['reason']}"
        for d in view["uncertain"]
    )
    return (
        f"**{view['reference']}: {title}**\n\n"
        f"Aktueller Zustand: **{State(view['state']).label}**. Die Einlesung war unsicher bei:\n\n"
        f"{doubts}\n\nJedes Feld zeigt, was gelesen wurde. Falsches berichtigen, „geprüft“ "
        "ankreuzen, **Absenden** (Fortsetzen / Resume): die Vorlage geht weiter wie nach "
        "`ratsfrist review`, ihre Fristen beginnen."
    )


@flow(name="review-form", flow_run_name="{reference} · Prüfung")
def review_form(reference: str, attempts: int = 3, timeout_hours: int = 72) -> dict[str, Any]:
    """Pause for the review form of a motion in review; record what is submitted."""
    from flows.app import session
    from models.services.views import paper_view
    from models.store.repo import find_paper

    with session() as active:
        view = paper_view(active, find_paper(active, reference))
    if view["state"] != State.in_review.value:
        raise RatsfristError(f"{reference}: nichts zu prüfen ({State(view['state']).label})")
    form, prefill = build_form(view)
    head = intro(view)
    description = head
    logger = get_run_logger()
    for _ in range(attempts):
        entered: Any = pause_flow_run(
            wait_for_input=form.with_initial_data(description=description, **prefill),
            timeout=timeout_hours * 3600,
        )
        try:
            corrections = corrections_from(entered, view)
            actor = entered.actor.strip() or ACTOR_DEFAULT
            outcome = run_as_flow(
                "review",
                reference=reference,
                corrections=corrections,
                confirm=True,
                now=app.clock(),
                actor=actor,
            )
        except RatsfristError as exc:
            reason = exc.for_caller({}) if isinstance(exc, FieldError) else str(exc)
            logger.warning(f"Nicht übernommen: {reason}")
            description = f"**Nicht übernommen:** {reason}\n\n{head}\n\nBitte korrigieren."
            continue
        changed = ", ".join(corrections) or "nichts"
        logger.info(
            f"{reference}: geprüft von {actor} – berichtigt: {changed}; "
            f"Zustand jetzt: {State(outcome['state']).label}"
        )
        return outcome
    raise RatsfristError(f"{reference}: nach {attempts} ungültigen Eingaben abgebrochen")
