"""The Welsh site of a bilingual Modern.gov council, as the fakes serve it: the real samples
(/work/shared/samples, Manchester) with their titles and agenda text in Welsh, as a Welsh
council's second site sends the same meeting (same meetingid, same agendaitemid, the words in
Welsh). No real Welsh payload is in the samples: this is the real payload, translated."""

from __future__ import annotations

from tests.integrations.agendas.fakes import sample_text

WELSH_PREFIX = "/cy"  # where the fake serves the Welsh site: welsh_url = base_url + WELSH_PREFIX

MEETING_CY = (
    sample_text("moderngov-getmeeting.xml")
    .replace("<agendaitemtitle>Minutes</agendaitemtitle>",
             "<agendaitemtitle>Cofnodion</agendaitemtitle>")
    .replace(
        "To approve as a correct record\nthe minutes of the meeting held on 25 November 2025.",
        "Cymeradwyo cofnodion y cyfarfod a gynhaliwyd ar 25 Tachwedd 2025\nfel cofnod cywir.",
    )
    .replace("<agendaitemtitle>Work Programme</agendaitemtitle>",
             "<agendaitemtitle>Rhaglen Waith</agendaitemtitle>")
    .replace(
        "The report of the Governance\nand Scrutiny Support Unit, attached.",
        "Adroddiad yr Uned Cymorth Llywodraethu\na Chraffu, ynghlwm.",
    )
)  # fmt: skip
COMMITTEES_CY = sample_text("moderngov-getcommittees.xml").replace(
    "<committeetitle>Audit Committee</committeetitle>",
    "<committeetitle>Pwyllgor Archwilio</committeetitle>",
)

assert "Cofnodion" in MEETING_CY and "Rhaglen Waith" in MEETING_CY and "Tachwedd" in MEETING_CY
assert "Adroddiad" in MEETING_CY and "Pwyllgor Archwilio" in COMMITTEES_CY
