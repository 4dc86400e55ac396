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


# Paragraphs of the real ../shared/material/career-after-graduation.txt, non-breaking spaces and
# curly apostrophes included, so grounding tests see what the shipped FAQ is checked against.
CAREER_DOC = (
    "Picture yourself in a program at a music production school —\xa0you’re working toward your goal of "
    "a\xa0music production career, you’ve completed all of your group and individual projects, and have even"
    " worked through an internship or two, and you’re looking forward to graduation day!"
    "\n\n"
    "Great news! Graduates of\xa0music production schools are always in high demand — whether you’d like "
    "to\xa0find\xa0an\xa0audio engineering career,\xa0you’re interested in becoming a music producer, or anything in "
    "between, studios and venues around the world are in need of\xa0professionals to join their teams. "
    "Recording artists, major record labels, television and radio stations, movie studios, and even live "
    "venues are always on the lookout for talented and driven individuals who are ready to make great "
    "things happen."
    "\n\n"
    "Now that you’ve earned your diploma and graduated from a music production college, you’re ready to "
    "answer their calls. Every year, more and more candidates are joining the pool of potential "
    "applicants for the jobs you’re competing for, and having a diploma\xa0is already helping you open doors"
    " that would have remained closed to you without it."
    "\n\n"
    "Some of the best and most valuable experiences and networking opportunities come from audio "
    "internships at studios both large and small. Many of these internships are going to be unpaid, or "
    "the pay will be very low. This is to be expected! By no means should an internship be looked to as a"
    " source of income, but you should definitely be aware of the long-term value and potential they hold"
    " for advancing your music production career."
    "\n\n"
    "Once you’ve gotten your foot in the door and established yourself as an experienced professional, "
    "the pay for a Music Producer\xa0/ Recording Engineer / Mix Engineer varies, with some people making "
    "upwards of $100,000+ a year. The highest pay seems to be going to the top music producers and mix "
    "engineers at the moment, though anyone who shows true promise and dedication in their chosen job can"
    " easily begin rising through the ranks."
    "\n\n"
    "Interested in becoming a music producer? If you’re considering a music production career and want to"
    " learn more about how a music production school like F.I.R.S.T. Institute can help, please reach out"
    " and get in touch with us! We would love to walk you through our programs and even schedule a campus"
    " tour for you if you’d like to see first hand what we’re all about."
    "\n\n"
    "If you’d like to learn more about\xa0our Recording Arts and Show Production program, please let us "
    "know! We’d be happy to answer any questions you might have about our programs, graduates, and kinds "
    "of career opportunities our alumni have found after graduation."
)


def write_material(directory: Path, text: str = CAREER_DOC, name: str = "career-after-graduation.txt") -> Path:
    """A material folder holding one document; returns the folder."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory
