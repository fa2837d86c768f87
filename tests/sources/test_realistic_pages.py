"""Realistic pages of the edition, written in imitation of the web edition (same header lines, the translation's
English, real-looking archival lines and notes), each combining several variations of the spec
(../shared/spec/source-format.md). Every document is checked field by field against what a historian reads
from the page; warnings, markers and line numbers are checked where the reading depends on them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.archival import is_archival_line, parse_archival_line
from kg.dates import parse_date_line, parse_time_place
from kg.records import LetterRecord
from kg.sources import lines as L
from kg.sources import parse_page, read_sources
from kg.sources.markers import restore_markers

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p.name for p in FIXTURES.glob("realistic_*.txt"))

#: Values of the measured fields that a document has unless its entry says otherwise.
DEFAULTS = {"doc_no": None, "senders": [], "recipients": [], "date_text": None, "date_written": None,
            "date_calendar": None, "date_gregorian": None, "date_editorial": False, "date_qualifier": None,
            "time_place_text": None, "salutation": None, "body": "", "signatures": [], "archival_refs": [],
            "publications": [], "notes": [], "complete": True}


def measured(rec: LetterRecord) -> dict:
    """The measured fields of a record; archival references as (text, archive normalised, fond, opis, delo,
    folios, copy type), notes as (n, text)."""
    out = {}
    for key in DEFAULTS:
        value = getattr(rec, key)
        if key == "archival_refs":
            value = [(a.text, a.archive_normalised, a.fond, a.opis, a.delo, a.folios, a.copy_type) for a in value]
        elif key == "notes":
            value = [(n.n, n.text) for n in value]
        out[key] = value
    return out


def read(name: str) -> list[LetterRecord]:
    result = read_sources([FIXTURES / name], dedupe=False)
    assert result.errors == []
    return result.records


EXPECTED: dict[str, list[dict]] = {
    'realistic_closing_variants.txt': [
        {
            'doc_no': '11',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': 'December 4 (17), 1917',
            'date_written': '1917-12-04',
            'date_calendar': 'julian',
            'date_gregorian': '1917-12-17',
            'time_place_text': 'Received and deciphered on December 5 at 10 a.m.\n4/XII, 11 p.m.',
            'salutation': 'T[ovarishch] Lenin.',
            'body': 'The Rada demands the withdrawal of our troops. Answer (distortion)* immediately.',
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 5150. L. 1. Handwritten text on a telegraph form.',
                               'RGASPI', '2', '1', '5150', '1', 'Handwritten text on a telegraph form')],
            'publications': ['Published: "Proletarian Revolution". 1924. No. 3. S. 25.'],
            'notes': [(1, 'The telegram was sent from Petrograd.'), (2, 'Here the text is distorted.')],
        },
        {
            'doc_no': '12',
            'senders': ['V. I. Lenin'],
            'recipients': ['J. V. Stalin'],
            'date_text': '4 (17) December 1917',
            'date_written': '1917-12-04',
            'date_calendar': 'julian',
            'date_gregorian': '1917-12-17',
            'salutation': 'Comrade Stalin,',
            'body': 'Agreed. Act.',
            'signatures': ['Lenin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1680. L. 2 rev. Autograph.', 'RGASPI', '558', '1',
                               '1680', '2 rev.', 'Autograph')],
        },
        {
            'doc_no': '140',
            'senders': ['F. E. Dzerzhinsky'],
            'recipients': ['J. V. Stalin'],
            'date_text': '[May 1922]',
            'date_written': '1922-05',
            'date_calendar': 'gregorian',
            'date_gregorian': '1922-05',
            'date_editorial': True,
            'salutation': 'Comrade Stalin!',
            'body': 'I send you the materials on the Georgian case. Comrade Mdivani insists on his own.',
            'signatures': ['F. Dzerzhinsky'],
            'archival_refs': [('GARF. F. R-130. Op. 2. D. 5. L. 1-1 rev. Typewritten text, signature is an '
                               'autograph.',
                               'GARF', 'R-130', '2', '5', '1-1 rev.', 'Typewritten text, signature is an autograph'),
                              ('RTSKHIDNI. F. 76. Op. 3. D. 240. L. 12, 12 rev. Certified copy.', 'RGASPI', '76', '3',
                               '240', '12, 12 rev.', 'Certified copy')],
            'publications': ['Published in: Stalin I. V. Works. T. 5. S. 118.'],
            'notes': [(1, 'The materials of the commission on the "Georgian incident" of 1922.'),
                      (2, 'See document No. 141.')],
        },
        {
            'doc_no': '88',
            'senders': ['Stalin'],
            'recipients': ['Lenin'],
            'date_text': '[July 1920]',
            'date_written': '1920-07',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-07',
            'date_editorial': True,
            'time_place_text': 'Kharkiv 29/VII.',
            'body': "The Polish front is holding; Budyonny's cavalry has broken through near Zhitomir.",
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 14100. L. 1. Typewritten text.', 'RGASPI', '2', '1',
                               '14100', '1', 'Typewritten text')],
            'notes': [(1, 'The text is written on a telegraph form.'),
                      (2, 'The breakthrough took place on July 28, 1920.')],
        },
        {
            'senders': ['Revolutionary Military Council of the Southern Front'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[September 1919]',
            'date_written': '1919-09',
            'date_calendar': 'gregorian',
            'date_gregorian': '1919-09',
            'date_editorial': True,
            'body': 'The front cannot hold without reinforcements.',
            'signatures': ['Member of the Revolutionary Military Council of the Southern Front Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1750. L. 1-3. Certified typewritten copy.', 'RGASPI',
                               '558', '1', '1750', '1-3', 'Certified typewritten copy')],
        },
        {
            'senders': ['L. B. Kamenev', 'G. E. Zinoviev', 'J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': 'July 18, 1922',
            'date_written': '1922-07-18',
            'date_calendar': 'gregorian',
            'date_gregorian': '1922-07-18',
            'salutation': 'Dear Vladimir Ilyich!',
            'body': ('We have discussed your letter about Gorki. The Politburo thinks that you should rest until the '
                     'autumn.'),
            'signatures': ['L. Kamenev. G. Zinoviev. J. Stalin.'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 2. D. 1238. L. 1. Autograph of Kamenev, signatures are '
                               'autographs.',
                               'RGASPI', '2', '2', '1238', '1', 'Autograph of Kamenev, signatures are autographs')],
            'notes': [(1, "Lenin's letter of July 17, 1922 has not been found.")],
        },
    ],
    'realistic_collective_parties.txt': [
        {
            'doc_no': '71',
            'senders': ['L. D. Trotsky'],
            'recipients': ['Central Committee of the RCP(b)'],
            'date_text': '[not later than October 3, 1919]',
            'date_written': '1919-10-03',
            'date_calendar': 'gregorian',
            'date_gregorian': '1919-10-03',
            'date_editorial': True,
            'date_qualifier': 'not_after',
            'body': ('1. The Southern Front must receive at least 15 thousand bayonets within a week.\n'
                     "2. Comrade Stalin's proposal to transfer the 8th Army, I consider harmful.\n"
                     'First, it will weaken the Voronezh direction; secondly, the transfer will take at least 10 '
                     'days.'),
            'signatures': ['Trotsky'],
            'archival_refs': [('RTSKHIDNI. F. 17. Op. 109. D. 42. L. 14-15. Typewritten text.', 'RGASPI', '17', '109',
                               '42', '14-15', 'Typewritten text')],
            'notes': [(1, 'See the telegram of J. V. Stalin of September 30, 1919 (ibid. L. 12).')],
        },
        {
            'senders': ['Politburo', 'J. V. Stalin'],
            'recipients': ['L. D. Trotsky'],
            'date_text': '[8-9 October 1919]',
            'date_written': '1919-10-08',
            'date_calendar': 'gregorian',
            'date_gregorian': '1919-10-08',
            'date_editorial': True,
            'body': ('The Politburo does not consider it possible to accept your proposal. The decision of October 3 '
                     'remains in force.'),
            'signatures': ["CHAIRMAN OF THE COUNCIL OF PEOPLE'S COMMISSARS LENIN",
                           'SECRETARY OF THE CENTRAL COMMITTEE STALIN'],
            'archival_refs': [('RTSKHIDNI. F. 17. Op. 3. D. 154. L. 1-3. Certified typewritten copy.', 'RGASPI', '17',
                               '3', '154', '1-3', 'Certified typewritten copy')],
            'notes': [(1, 'See: Protocol No. 37 of the meeting of the Politburo of October 3, 1919.')],
        },
        {
            'senders': ['V. I. Lenin'],
            'recipients': ['Revolutionary Military Council of the Southern Front', 'J. V. Stalin'],
            'date_text': 'October 12, 1919',
            'date_written': '1919-10-12',
            'date_calendar': 'gregorian',
            'date_gregorian': '1919-10-12',
            'body': ('The Central Committee insists on the immediate transfer of 2 divisions to Orel. Answer by '
                     'telegraph.'),
            'signatures': ['LENIN'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 11145. L. 1 rev. Handwritten text on a telegraph form.',
                               'RGASPI', '2', '1', '11145', '1 rev.', 'Handwritten text on a telegraph form')],
        },
    ],
    'realistic_crlf_nbsp.txt': [
        {
            'doc_no': '17',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': 'December 27 [1917]',
            'date_written': '1917-12-27',
            'date_calendar': 'julian',
            'date_gregorian': '1918-01-09',
            'date_editorial': True,
            'salutation': 'T[ovari] Ilyich!',
            'body': 'Come at once.',
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph.', 'RGASPI', '558', '1', '5397',
                               '2', 'Autograph')],
            'notes': [(2, 'Note two.')],
        },
    ],
    'realistic_cut_after_date.txt': [
        {
            'senders': ['Lenin'],
            'recipients': ['Stalin'],
            'date_text': '[May 1920]',
            'date_written': '1920-05',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-05',
            'date_editorial': True,
            'salutation': 'Comrade Stalin!',
            'body': 'The question of the Crimea is being decided now.',
            'signatures': ['Lenin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1870. L. 1. Autograph.', 'RGASPI', '558', '1', '1870',
                               '1', 'Autograph')],
        },
        {
            'senders': ['L. D. Trotsky'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[previously May 26, 1920]',
            'date_written': '1920-05-26',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-05-26',
            'date_editorial': True,
            'date_qualifier': 'before',
            'complete': False,
        },
    ],
    'realistic_cut_inside_note.txt': [
        {
            'doc_no': '95',
            'senders': ['G. K. Ordzhonikidze'],
            'recipients': ['V. I. Lenin', 'J. V. Stalin'],
            'date_text': '[July 16, 1920]',
            'date_written': '1920-07-16',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-07-16',
            'date_editorial': True,
            'time_place_text': 'Baku 16/VII-20',
            'salutation': 'Dear Ilyich!',
            'body': ('The situation in Azerbaijan is good. We have 3 divisions here; the Turks ask for weapons and '
                     'gold.'),
            'signatures': ['Your Sergo'],
            'archival_refs': [('RTSKHIDNI. F. 85. Op. 3/S. D. 12. L. 1, 2. Autograph.', 'RGASPI', '85', '3/S', '12',
                               '1, 2', 'Autograph')],
            'notes': [(1, 'The 11th Army was stationed in Azerbaijan.'),
                      (2,
                       "In the summer of 1920, Mustafa Kemal's government asked Soviet Russia for help with weapons "
                       'and gold; the first shipment was sent in')],
            'complete': False,
        },
    ],
    'realistic_cut_mid_sentence.txt': [
        {
            'doc_no': '20',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[June 7, 1918]',
            'date_written': '1918-06-07',
            'date_calendar': 'gregorian',
            'date_gregorian': '1918-06-07',
            'date_editorial': True,
            'time_place_text': 'Tsaritsyn, June 7.',
            'body': ('I am hurrying to the front. I write only on business.\n'
                     '1) The railway line south of Tsaritsyn has not yet been restored. I drive or scold everyone '
                     'who needs it, I hope we will restore it soon. You can be sure that we will spare no one, '
                     'neither ourselves nor others, and we will still deliver the bread 1 .\n'
                     '2) Today I received an answer from Baku about the 1,000 puds of'),
            'complete': False,
        },
    ],
    'realistic_dates.txt': [
        {
            'doc_no': '5',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[November 1917]',
            'date_written': '1917-11',
            'date_calendar': 'julian',
            'date_gregorian': '1917-11-14',
            'date_editorial': True,
            'salutation': 'Comrade Lenin!',
            'body': 'The Finnish comrades ask for an answer about the Sveaborg fortress.',
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 4920. L. 1. Autograph.', 'RGASPI', '2', '1', '4920', '1',
                               'Autograph')],
            'notes': [(1, 'The Sveaborg garrison was withdrawn in the spring of 1918.')],
        },
        {
            'doc_no': '6',
            'senders': ['V. I. Lenin'],
            'recipients': ['J. V. Stalin'],
            'date_text': 'January 20 (February 2), 1918',
            'date_written': '1918-01-20',
            'date_calendar': 'julian',
            'date_gregorian': '1918-02-02',
            'salutation': 'Comrade Stalin!',
            'body': 'Send the decree on the Armenian question today.',
            'signatures': ['Lenin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1690. L. 1. Autograph.', 'RGASPI', '558', '1', '1690',
                               '1', 'Autograph')],
        },
        {
            'doc_no': '7',
            'senders': ['J. V. Stalin'],
            'recipients': ['L. D. Trotsky'],
            'date_text': '[previously December 5, 1917]',
            'date_written': '1917-12-05',
            'date_calendar': 'julian',
            'date_gregorian': '1917-12-18',
            'date_editorial': True,
            'date_qualifier': 'before',
            'salutation': 'Lev Davidovich!',
            'body': 'The Ukrainians ask to postpone the negotiations.',
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 325. Op. 1. D. 12. L. 3. Certified typewritten copy.', 'RGASPI', '325',
                               '1', '12', '3', 'Certified typewritten copy')],
        },
        {
            'doc_no': '77',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[10-12 December 1919]',
            'date_written': '1919-12-10',
            'date_calendar': 'gregorian',
            'date_gregorian': '1919-12-10',
            'date_editorial': True,
            'time_place_text': 'Kharkiv 12/XII',
            'body': 'The Southern Front is broken through; Kharkov is taken.',
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 12140. L. 1-2. Autograph.', 'RGASPI', '2', '1', '12140',
                               '1-2', 'Autograph')],
        },
        {
            'doc_no': '78',
            'senders': ['V. I. Lenin'],
            'recipients': ['J. V. Stalin'],
            'date_text': '[May 5-6, 1920]',
            'date_written': '1920-05-05',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-05-05',
            'date_editorial': True,
            'time_place_text': 'May 6 20',
            'salutation': 'Comrade Stalin.',
            'body': 'The Polish offensive must be stopped.',
            'signatures': ['Lenin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1820. L. 1. Autograph.', 'RGASPI', '558', '1', '1820',
                               '1', 'Autograph')],
        },
        {
            'doc_no': '120',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': 'December 6, 1920',
            'date_written': '1920-12-06',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-12-06',
            'time_place_text': 'Tiflis, December 6, 1920',
            'salutation': 'Comrade Lenin.',
            'body': 'The Georgian question is not yet ripe.',
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 16500. L. 1. Typewritten text.', 'RGASPI', '2', '1',
                               '16500', '1', 'Typewritten text')],
            'notes': [(1, 'On the Georgian question, see documents No. 118 and 119.')],
        },
        {
            'doc_no': '190',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. M. Molotov'],
            'date_text': '[Not later than March 12, 1925]',
            'date_written': '1925-03-12',
            'date_calendar': 'gregorian',
            'date_gregorian': '1925-03-12',
            'date_editorial': True,
            'date_qualifier': 'not_after',
            'time_place_text': '12/III 1925',
            'salutation': 'Molotov!',
            'body': 'Received. I agree with the draft.',
            'signatures': ['St.'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 5370. L. 1. Autograph.', 'RGASPI', '558', '1', '5370',
                               '1', 'Autograph')],
        },
    ],
    'realistic_markers.txt': [
        {
            'doc_no': '60',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[February 27, 1920]',
            'date_written': '1920-02-27',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-02-27',
            'date_editorial': True,
            'time_place_text': '27/II',
            'salutation': 'Dear Comrade Lenin!',
            'body': ('I received your telegram about the Caucasian Front. The negotiations. The army of Denikin is '
                     'disintegrating, our cavalry is working tirelessly. There are 20 thousand prisoners; 40.6 per '
                     'cent of them are sick. Order No. 371 was announced to the troops on February 25 .'),
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1890. L. 1-3. Autograph.', 'RGASPI', '558', '1', '1890',
                               '1-3', 'Autograph')],
            'publications': ['"Izvestia of the Central Committee of the CPSU". 1990. No. 7. S. 148.'],
            'notes': [(1, 'The letter was written in Rostov.'),
                      (2, 'On the letterhead: "Member of the Revolutionary Military Council of the Southern Front".'),
                      (3, 'Negotiations with the Georgian government on the demarcation line.'),
                      (4, 'The 1st Cavalry Army of S. M. Budyonny.'), (5, 'Signature is an autograph.')],
        },
        {
            'senders': ['Trotsky'],
            'recipients': ['Lenin'],
            'date_text': '[March 17, 1920]',
            'date_written': '1920-03-17',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-03-17',
            'date_editorial': True,
            'time_place_text': '17/III.',
            'complete': False,
        },
    ],
    'realistic_no_heading_two_writers.txt': [
        {
            'doc_no': '131',
            'senders': ['Stalin'],
            'recipients': ['Lenin'],
            'date_text': '[not earlier than March 20, 1921]',
            'date_written': '1921-03-20',
            'date_calendar': 'gregorian',
            'date_gregorian': '1921-03-20',
            'date_editorial': True,
            'date_qualifier': 'not_before',
            'salutation': 'Vladimir Ilyich!',
            'body': ('We are sending you the draft resolution on the Caucasian Bureau. First, the Bureau should be '
                     'subordinated directly to the Central Committee; secondly, Comrade Kirov should be left in '
                     'Baku.'),
            'signatures': ['[Stalin]'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 17490. L. 1. Typewritten text with handwritten '
                               'corrections.',
                               'RGASPI', '2', '1', '17490', '1', 'Typewritten text with handwritten corrections')],
            'notes': [(1, 'On the sheet is Lenin\'s mark: "To the archive".'),
                      (2, 'S. M. Kirov at that time headed the Azerbaijan party organization.')],
        },
        {
            'senders': ['G. K. Ordzhonikidze', 'J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[November 26, 1920]',
            'date_written': '1920-11-26',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-11-26',
            'date_editorial': True,
            'salutation': 'Dear Vladimir Ilyich!',
            'body': ('In Armenia, the situation is becoming more complicated every day. Dashnaks took Karakilisa. We '
                     'ask you to allow (in the event of an uprising) the entry of our units.\n'
                     'Ordzhonikidze\n'
                     "I join Sergo's request, the matter is urgent."),
            'signatures': ['Ordzhonikidze', 'J. Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 85. Op. 14. D. 12. L. 1-2. Autographs.', 'RGASPI', '85', '14', '12',
                               '1-2', 'Autographs')],
            'notes': [(1, 'Letter written on one sheet.'),
                      (2, 'On November 29, 1920, the Armenian Soviet Republic was proclaimed.'),
                      (3, 'The words in brackets were added by Ordzhonikidze.')],
        },
    ],
    'realistic_preface.txt': [
    ],
    'realistic_section_intro.txt': [
    ],
    'realistic_signatures_times.txt': [
        {
            'senders': ['J. V. Stalin'],
            'recipients': ['V. M. Molotov'],
            'date_text': '[September 1, 1926]',
            'date_written': '1926-09-01',
            'date_calendar': 'gregorian',
            'date_gregorian': '1926-09-01',
            'date_editorial': True,
            'salutation': 'Molotov!',
            'body': ('I received your letter. Do not hurry with the plenum.\n'
                     'Greetings. Stalin.\n'
                     'P.S. Send me the protocols of the Politburo.'),
            'signatures': ['Greetings. Stalin.'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 5388. L. 3-4 rev. Autograph.', 'RGASPI', '558', '1',
                               '5388', '3-4 rev.', 'Autograph')],
            'notes': [(1, 'Protocols of the Politburo were regularly sent to Stalin in Sochi.')],
        },
        {
            'senders': ['Lenin'],
            'recipients': ['Stalin'],
            'date_text': 'January 30 - February 2, 1918',
            'date_written': '1918-01-30',
            'date_calendar': 'julian',
            'date_gregorian': '1918-02-12',
            'salutation': 'Comrade Stalin!',
            'body': 'Come.',
            'signatures': ['Lenin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1700. L. 1. Autograph.', 'RGASPI', '558', '1', '1700',
                               '1', 'Autograph')],
        },
        {
            'senders': ['J. V. Stalin'],
            'recipients': ['G. K. Ordzhonikidze'],
            'date_text': '[July 5, 1920]',
            'date_written': '1920-07-05',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-07-05',
            'date_editorial': True,
            'time_place_text': '5/VII',
            'salutation': 'Sergo!',
            'body': 'Wrangel is pressing. Hold Baku at all costs.',
            'signatures': ['Your Koba'],
            'archival_refs': [('RTSKHIDNI. F. 85. Op. 1/S. D. 12. L. 3. Autograph.', 'RGASPI', '85', '1/S', '12', '3',
                               'Autograph')],
        },
        {
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': 'July 5, 1920',
            'date_written': '1920-07-05',
            'date_calendar': 'gregorian',
            'date_gregorian': '1920-07-05',
            'time_place_text': 'July 5 20',
            'body': 'The Poles are retreating.',
            'signatures': ['Stalin.'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 14500. L. 1. Autograph.', 'RGASPI', '2', '1', '14500', '1',
                               'Autograph')],
        },
        {
            'senders': ['V. I. Lenin'],
            'recipients': ['J. V. Stalin'],
            'date_text': '[March 17, 1921]',
            'date_written': '1921-03-17',
            'date_calendar': 'gregorian',
            'date_gregorian': '1921-03-17',
            'date_editorial': True,
            'time_place_text': '17/III.',
            'salutation': 'Comrade Stalin!',
            'body': 'Agree with Trotsky.',
            'signatures': ['Lenin.'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 2200. L. 1. Autograph.', 'RGASPI', '558', '1', '2200',
                               '1', 'Autograph')],
        },
        {
            'senders': ['J. V. Stalin'],
            'recipients': ['L. B. Kamenev'],
            'date_text': '[January 10, 1926]',
            'date_written': '1926-01-10',
            'date_calendar': 'gregorian',
            'date_gregorian': '1926-01-10',
            'date_editorial': True,
            'time_place_text': '10/1 1926',
            'salutation': 'Kamenev!',
            'body': 'Received the materials.',
            'signatures': ['St.'],
            'archival_refs': [('RTSKHIDNI. F. 323. Op. 2. D. 71. L. 1. Autograph.', 'RGASPI', '323', '2', '71', '1',
                               'Autograph')],
        },
    ],
    'realistic_spaced_many.txt': [
        {
            'senders': ['Central Committee of the RCP(b)'],
            'recipients': ['J. V. Stalin', 'K. E. Voroshilov'],
            'date_text': '[July 1918]',
            'date_written': '1918-07',
            'date_calendar': 'gregorian',
            'date_gregorian': '1918-07',
            'date_editorial': True,
            'salutation': 'T[ovari]shch Stalin,',
            'body': ('The Central Committee asks you to explain the arrest of the specialists. The Politburo insists '
                     'that the chief of staff be released.'),
            'signatures': ['By order of the Central Committee, Secretary E. Stasova'],
            'archival_refs': [('RTSKHIDNI. F. 17. Op. 109. D. 4. L. 12. Certified typewritten copy.', 'RGASPI', '17',
                               '109', '4', '12', 'Certified typewritten copy')],
            'notes': [(1,
                       'On the arrest of the military specialists of the North Caucasian Military District see: '
                       "Stalin's letter of July 11, 1918 (RTSKHIDNI. F. 558. Op. 1. D. 248. L. 1-2).")],
        },
        {
            'senders': ['J. V. Stalin'],
            'recipients': ['Central Committee of the RCP(b)'],
            'date_text': '[August 1918]',
            'date_written': '1918-08',
            'date_calendar': 'gregorian',
            'date_gregorian': '1918-08',
            'date_editorial': True,
            'time_place_text': 'Filed from Tsaritsyn on August 4 at 11 p.m.',
            'salutation': 'Comrades,',
            'body': ('The specialists were arrested on my order. The chief of staff Nosovich fled to the Whites, as '
                     'I expected. The specialists were arrested on my order. The chief of staff Nosovich fled to the '
                     'Whites, as I had expected.'),
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1810. L. 1-2. Handwritten text.', 'RGASPI', '558', '1',
                               '1810', '1-2', 'Handwritten text')],
        },
        {
            'senders': ['L. D. Trotsky'],
            'recipients': ['J. V. Stalin'],
            'date_text': '[October 4, 1918]',
            'date_written': '1918-10-04',
            'date_calendar': 'gregorian',
            'date_gregorian': '1918-10-04',
            'date_editorial': True,
            'body': "I demand that the Central Committee discuss the question of Stalin's actions.",
            'signatures': ['Trotsky'],
            'archival_refs': [('RTSKHIDNI. F. 325. Op. 1. D. 404. L. 10. Typewritten text.', 'RGASPI', '325', '1',
                               '404', '10', 'Typewritten text')],
            'notes': [(1, 'See document No. 48.')],
        },
    ],
    'realistic_spaced_switch.txt': [
        {
            'doc_no': '12',
            'senders': ['V. I. Lenin'],
            'recipients': ['J. V. Stalin'],
            'date_text': 'January 30, 1918',
            'date_written': '1918-01-30',
            'date_calendar': 'julian',
            'date_gregorian': '1918-02-12',
            'time_place_text': '30/I, 11 p.m.',
            'salutation': 'Comrade Stalin!',
            'body': ("The Rada's delegates in Brest are demanding a separate peace. Find out through Kharkov what "
                     'the Central Executive Committee of Ukraine thinks about this and telegraph me immediately.'),
            'signatures': ['Lenin'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 5290. L. 1. Autograph.', 'RGASPI', '2', '1', '5290', '1',
                               'Autograph')],
            'notes': [(1,
                       'The delegation of the Ukrainian Central Rada arrived in Brest-Litovsk on December 30, 1917 '
                       '(January 12, 1918).')],
        },
        {
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[February 16, 1918]',
            'date_written': '1918-02-16',
            'date_calendar': 'gregorian',
            'date_gregorian': '1918-02-16',
            'date_editorial': True,
            'time_place_text': 'Filed from Petrograd on 16/II at 2 a.m.',
            'body': ('Kharkov has answered: the Central Executive Committee of Ukraine considers the separate peace '
                     'of the Rada an act of treason; they ask for 20 thousand rifles and 40 machine guns.'),
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1712. L. 1-3. Handwritten text on a telegraph form.',
                               'RGASPI', '558', '1', '1712', '1-3', 'Handwritten text on a telegraph form')],
            'notes': [(1, 'Kharkov was then the seat of the Soviet government of Ukraine.'),
                      (2,
                       'The peace treaty between the Central Powers and the Rada was signed in Brest-Litovsk on '
                       'January 27 (February 9), 1918.')],
        },
    ],
    'realistic_stalin_molotov.txt': [
        {
            'doc_no': '182',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. M. Molotov'],
            'date_text': '[Later August 23, 1925]',
            'date_written': '1925-08-23',
            'date_calendar': 'gregorian',
            'date_gregorian': '1925-08-23',
            'date_editorial': True,
            'date_qualifier': 'not_before',
            'time_place_text': 'Sochi 23/VIII',
            'salutation': 'Hello, Vyacheslav!',
            'body': ('1) I received your letter. I think you are right about the plenum.\n'
                     '2) The Zinovievites are preparing an attack on the Central Committee; they will try to use the '
                     '"Leningradskaya Pravda" articles against us. Do not give in.\n'
                     '3) On the Chinese question, I agree with Chicherin; the rest after my arrival.'),
            'signatures': ['I shake hands with you. Your Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 5376. L. 1-2 rev. Autograph.', 'RGASPI', '558', '1',
                               '5376', '1-2 rev.', 'Autograph')],
            'publications': ['"Istochnik". 1996. No. 2. S. 125.'],
            'notes': [(1, "Molotov's letter has not been found."),
                      (2, 'The articles of "Leningradskaya Pravda" of August 20-22, 1925.'),
                      (3, "G. V. Chicherin at that time was People's Commissar for Foreign Affairs.")],
        },
        {
            'doc_no': '183',
            'senders': ['V. M. Molotov'],
            'recipients': ['J. V. Stalin'],
            'date_text': 'February 1, 1926',
            'date_written': '1926-02-01',
            'date_calendar': 'gregorian',
            'date_gregorian': '1926-02-01',
            'time_place_text': '1/II-26',
            'salutation': 'Koba!',
            'body': ('Your telegram received. The Politburo decided to send Kirov to Leningrad with a group of '
                     'comrades. The Leningrad opposition is losing 40.6 percent of the delegates in the districts. '
                     'At the conference, we will have at least 2 thousand delegates.'),
            'signatures': ['I shake hands. V. Molotov.'],
            'archival_refs': [('RTSHIDNI; F. 558. Op. 11. D. 767. L. 5 rev.-6. Autograph.', 'RGASPI', '558', '11',
                               '767', '5 rev.-6', 'Autograph')],
            'notes': [(1,
                       'S. M. Kirov was elected first secretary of the Leningrad Provincial Committee on February 8, '
                       '1926.')],
        },
    ],
    'realistic_telegrams.txt': [
        {
            'doc_no': '48',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': '[October 5, 1918]',
            'date_written': '1918-10-05',
            'date_calendar': 'gregorian',
            'date_gregorian': '1918-10-05',
            'date_editorial': True,
            'time_place_text': '5.X. 1918\nReceived and deciphered on October 6 at 3 a.m.',
            'body': ("The situation at Tsaritsyn is difficult. Sytin's (distortion)* orders are ruining the front. I "
                     'demand the recall of Sytin and the appointment of Voroshilov.'),
            'signatures': ['Stalin'],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 1820. L. 1. Handwritten text on a telegraph form.',
                               'RGASPI', '558', '1', '1820', '1', 'Handwritten text on a telegraph form')],
            'notes': [(1, 'Sent from Tsaritsyn.'),
                      (2, 'P. P. Sytin - commander of the Southern Front from September 1918.')],
        },
        {
            'doc_no': '49',
            'senders': ['V. I. Lenin'],
            'recipients': ['J. V. Stalin'],
            'date_text': 'October 6, 1918',
            'date_written': '1918-10-06',
            'date_calendar': 'gregorian',
            'date_gregorian': '1918-10-06',
            'body': ('The Central Committee has discussed your telegram. Trotsky will arrive in Tsaritsyn; reconcile '
                     'with him.'),
            'signatures': ['Lenin'],
            'archival_refs': [('RTSKHIDNI. F. 2. Op. 1. D. 7102. L. 1. Typewritten text.', 'RGASPI', '2', '1', '7102',
                               '1', 'Typewritten text')],
            'notes': [(1, 'See document No. 48.')],
        },
        {
            'doc_no': '105',
            'senders': ['J. V. Stalin'],
            'recipients': ['V. I. Lenin'],
            'date_text': 'February 16, 1921',
            'date_written': '1921-02-16',
            'date_calendar': 'gregorian',
            'date_gregorian': '1921-02-16',
            'time_place_text': '16/11 21',
            'body': ('The Georgian question is decided: the Mensheviks are retreating to Batum. The division will be '
                     'in Tiflis in 2 days.'),
            'signatures': ["PEOPLE'S COMMISSAR STALIN"],
            'archival_refs': [('RTSKHIDNI. F. 558. Op. 1. D. 2101. L. 3. Certified typewritten copy.', 'RGASPI',
                               '558', '1', '2101', '3', 'Certified typewritten copy')],
            'notes': [(1, 'Tiflis was taken by units of the 11th Army on February 25, 1921.')],
        },
    ],
}


def test_every_realistic_page_has_expected_values():
    assert sorted(EXPECTED) == PAGES


@pytest.mark.parametrize("name", PAGES)
def test_realistic_page_field_by_field(name):
    records = read(name)
    expected = EXPECTED[name]
    assert len(records) == len(expected)
    for i, (rec, exp) in enumerate(zip(records, expected, strict=True)):
        got = measured(rec)
        want = {**DEFAULTS, **exp}
        for key in DEFAULTS:
            assert got[key] == want[key], f"{name} document {i}: {key}"


@pytest.mark.parametrize("name", PAGES)
def test_body_and_markers_give_back_the_printed_body(name):
    for rec in read(name):
        assert restore_markers(rec.body, rec.markers) == rec.body_printed


@pytest.mark.parametrize("name", PAGES)
def test_cut_documents_invent_nothing(name):
    for rec in read(name):
        if not rec.complete and not rec.archival_refs:
            assert rec.signatures == [] and rec.notes == [] and rec.publications == []


def warnings_of(name: str, i: int) -> str:
    return "\n".join(read(name)[i].warnings)


# ------------------------------------------------------------------------------------------ documents on a page
def test_spaced_page_documents_start_at_no_and_at_the_heading_after_the_notes():
    first, second = read("realistic_spaced_switch.txt")
    assert (first.source.line, second.source.line) == (15, 37)  # the title "from Lenin to Stalin" is not taken
    assert first.lines["heading"] == 17 and second.lines["heading"] == 37


def test_front_matter_with_dates_heading_like_lines_and_notes_gives_no_document():
    for name in ("realistic_preface.txt", "realistic_section_intro.txt"):
        result = read_sources([FIXTURES / name])
        assert result.records == [] and result.errors == [] and result.read == [FIXTURES / name]


def test_crlf_and_no_break_spaces_read_like_plain_spaces():
    (rec,) = read("realistic_crlf_nbsp.txt")
    assert [(m.n, m.printed) for m in rec.markers] == [(2, " 2 ")]


# ------------------------------------------------------------------------------------------ parties
def test_garbled_telegram_headings_are_warned():
    assert "garbled heading 'Telegram to J. V. Stalin V. I. Lenin'" in warnings_of("realistic_telegrams.txt", 0)
    assert "garbled heading 'Telegram to L. D. Trotsky J. V. Stalin'" in warnings_of("realistic_spaced_many.txt", 2)


def test_headingless_documents_take_parties_from_signature_and_address_with_warnings():
    text = warnings_of("realistic_no_heading_two_writers.txt", 0)
    assert "sender taken from the signature" in text and "recipient taken from the address line" in text
    moscow = read("realistic_closing_variants.txt")[3]
    assert moscow.address_lines == ["Moscow - the Kremlin, only to Lenin", "Decrypt immediately."]
    assert (moscow.senders, moscow.recipients) == (["Stalin"], ["Lenin"])


def test_address_lines_are_neither_salutation_nor_body():
    trotsky = read("realistic_collective_parties.txt")[0]
    assert trotsky.address_lines == ["To members of the Politburo."]
    stalin = read("realistic_no_heading_two_writers.txt")[0]
    assert stalin.address_lines == ["To Comrade Lenin."]
    assert [(m.n, m.field) for m in stalin.field_markers] == [(1, "salutation")]
    copy = read("realistic_collective_parties.txt")[1]
    assert copy.is_copy and copy.address_lines == ["Copy."]


def test_two_writers_on_one_sheet_and_a_postscript_are_warned_differently():
    assert "two letters on one sheet" in warnings_of("realistic_no_heading_two_writers.txt", 1)
    assert "before a postscript" in warnings_of("realistic_signatures_times.txt", 0)


# ------------------------------------------------------------------------------------------ markers and notes
def test_markers_in_heading_time_and_signature_lines_and_glued_to_punctuation():
    rec = read("realistic_markers.txt")[0]
    assert sorted((m.n, m.field) for m in rec.field_markers) == [
        (1, "heading"), (2, "time_place_text"), (5, "signatures[0]")]
    assert [(m.n, m.printed) for m in rec.markers] == [(3, "3 ."), (4, " 4 ")]
    assert "first note has no number; taken as note 1" in "\n".join(rec.warnings)
    assert not any("has no marker" in w for w in rec.warnings)


def test_glued_and_spelled_markers_and_numbers_that_are_not_markers():
    molotov = read("realistic_stalin_molotov.txt")
    assert [(m.n, m.printed) for m in molotov[0].markers] == [(1, " 1 "), (2, "2"), (3, " 3 ")]
    assert [m.n for m in molotov[1].markers] == [1]  # "40.6 percent", "2 thousand" stay text
    telegram = read("realistic_closing_variants.txt")[0]
    assert [(m.n, m.printed) for m in telegram.markers] == [(1, " one "), (2, " 2 ")]


def test_marker_of_a_cut_page_is_suspected_not_taken():
    (rec,) = read("realistic_cut_mid_sentence.txt")
    assert rec.markers == [] and "seems to carry note markers (1)" in "\n".join(rec.warnings)


def test_note_citations_and_dual_dates_stay_with_the_note():
    ccc = read("realistic_spaced_many.txt")[0]
    assert [r.text for r in ccc.notes[0].references] == ["RTSKHIDNI. F. 558. Op. 1. D. 248. L. 1-2"]
    assert ccc.archival_refs[0].delo == "4"
    switch = read("realistic_spaced_switch.txt")
    assert [(d.julian, d.gregorian, d.consistent) for d in switch[0].notes[0].dual_dates] == [
        ("1917-12-30", "1918-01-12", True)]
    assert [(d.julian, d.gregorian, d.consistent) for d in switch[1].notes[1].dual_dates] == [
        ("1918-01-27", "1918-02-09", True)]


def test_folios_are_expanded():
    refs = read("realistic_closing_variants.txt")[2].archival_refs
    assert [r.folio_list for r in refs] == [["1", "1v"], ["12", "12v"]]
    assert read("realistic_stalin_molotov.txt")[1].archival_refs[0].folio_list == ["5v", "6"]


def test_duplicated_passage_is_reported_and_kept():
    assert "passage printed twice" in warnings_of("realistic_spaced_many.txt", 1)


def test_time_lines_are_cross_checked_and_mangled_months_warned():
    assert "month numeral '11' read as roman 2" in warnings_of("realistic_telegrams.txt", 2)
    assert "fused into the first sentence" in warnings_of("realistic_closing_variants.txt", 3)


# ------------------------------------------------------------------------------------------ the classifiers
@pytest.mark.parametrize("text, names", [
    ("I. Stalin", ["I. Stalin"]),
    ("I. V. Stalin.", ["I. V. Stalin"]),
    ("L. Kamenev. G. Zinoviev. J. Stalin.", ["L. Kamenev", "G. Zinoviev", "J. Stalin"]),
    ("By order of the Central Committee, Secretary E. Stasova", ["E. Stasova"]),
    ("Chairman of the Revolutionary Military Council Trotsky", ["Trotsky"]),
    ("PEOPLE'S COMMISSAR STALIN", ["STALIN"]),
    ("Your Koba", ["Koba"]),
    ("I shake hands with you. Your Stalin", ["Stalin"]),
    ("Hugs. Your Koba.", ["Koba"]),
    ("Greetings to all. Stalin.", ["Stalin"]),
])
def test_signature_shapes_and_their_names(text, names):
    assert L.is_signature(text) and L.signature_names(text) == names


@pytest.mark.parametrize("text", ["Your", "Chief of staff Nosovich fled to the Whites", "Agreed. Act.",
                                  "Head of the Ukrainian delegation decides", "Hello to Bukharin and Rykov."])
def test_lines_that_are_not_signatures(text):
    assert not L.is_signature(text)


@pytest.mark.parametrize("heading, senders, recipients", [
    ("L. D. Trotsky to the Central Committee of the RCP(b)", ["L. D. Trotsky"], ["Central Committee of the RCP(b)"]),
    ("J. V. Stalin - to the members of the Politburo", ["J. V. Stalin"], ["members of the Politburo"]),
    ("Telegram of V. I. Lenin to the Revolutionary Military Council of the Southern Front, J. V. Stalin",
     ["V. I. Lenin"], ["Revolutionary Military Council of the Southern Front", "J. V. Stalin"]),
])
def test_headings_with_articles_and_collective_parties(heading, senders, recipients):
    h = L.parse_heading(heading)
    assert h is not None and (h.senders, h.recipients) == (senders, recipients)


def test_address_and_salutation_are_told_apart():
    assert L.is_address_line("To members of the Politburo.") and not L.is_salutation("To Comrade Lenin.")
    assert L.is_salutation("T[ovarishch] Lenin.") and L.is_salutation("Mikhail Ivanovich.")
    assert L.recipients_from_address("Moscow - the Kremlin, only to Lenin") == ["Lenin"]


def test_place_and_day_without_year_is_a_time_line():
    tp = parse_time_place("Tsaritsyn, June 7.")
    assert tp is not None and (tp.place, tp.month, tp.day, tp.year) == ("Tsaritsyn", 6, 7, None)


def test_range_ending_in_the_days_the_reform_skipped_is_counted_in_the_old_style():
    p = parse_date_line("[January 30 - February 2, 1918]")
    assert (p.calendar, p.gregorian, p.gregorian_end) == ("julian", "1918-02-12", "1918-02-15")
    assert not any("ends before it starts" in w for w in p.warnings)


def test_section_date_spanning_years_does_not_open_a_document():
    header = (FIXTURES / "realistic_section_intro.txt").read_text(encoding="utf-8").split("Section I.")[0]
    page = header + "Stalin - Lenin\nDecember 1917 - March 1923\nThe letters of these years are few.\n"
    assert parse_date_line("December 1917 - March 1923") is not None  # a date, but not a letter's
    assert parse_page(page, "intro.txt").records == []


def test_fond_with_a_letter_prefix_is_an_archival_line():
    assert is_archival_line("GARF. F. R-130. Op. 2. D. 5. L. 1. Typewritten text.")
    assert parse_archival_line("GARF. F. R-130. Op. 2. D. 5. L. 1.").refs[0].fond == "R-130"
