"""Small builders shared by the core, console and CLI tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

TINY_FAQ = """\
- id: internship-pay
  question: Do internships pay?
  alternates:
    - are internships paid
    - do interns get paid
    - how much do internships pay
    - is an internship unpaid
    - do you earn money during an internship
  answer: Many internships are unpaid or pay very little.
  source: career-after-graduation.txt
- id: careers
  question: What careers can I have after graduating?
  alternates:
    - what jobs can graduates get
    - which careers are open to graduates
    - can I become a music producer
    - can I work as an audio engineer
    - what can I do with the diploma
  answer: Producer, recording engineer, mix engineer and more.
  source: career-after-graduation.txt
- id: tuition-cost
  kind: handoff
  question: How much is tuition?
  alternates:
    - what does the program cost
    - tuition fees
    - price of the course
    - how expensive is the school
    - cost of attendance
  answer: I can't quote tuition; the admissions team will send current figures.
  source: admissions-team
- id: campus-tour
  kind: tour
  question: Can I book a campus tour?
  alternates:
    - I want to visit the campus
    - schedule a visit
    - tour of the studios
    - can I come see the school
    - book a tour
  answer: We'd love to show you around.
  source: career-after-graduation.txt
- id: greeting
  kind: smalltalk
  question: Hello
  alternates:
    - hi
    - hey there
    - good evening
    - hiya
    - yo
  answer: Hi! Ask me about our program and careers.
  source: admissions-team
"""


def write_faq(directory: Path, text: str = TINY_FAQ, name: str = "faq.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory
