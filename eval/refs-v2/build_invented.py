#!/usr/bin/env python3
"""Build docs/NAME.txt and docs/NAME.labels.tsv from annotated/NAME.ann.txt.

Annotation syntax: [[CANON|surface text]]; CANON may list several canonicals separated
by ';' (a range or "§§ X og Y" expands to one canonical per paragraph). The first word of
each canonical may be an alias (see ALIASES). Surface text may span lines.
Run: python3 build_invented.py   (writes docs/ and checks for un-annotated candidates).
"""
import re, sys, pathlib, collections

ALIASES = {
    'hol': 'helse- og omsorgstjenesteloven', 'sphl': 'spesialisthelsetjenesteloven',
    'pbrl': 'pasient- og brukerrettighetsloven', 'hpl': 'helsepersonelloven',
    'phvl': 'psykisk helsevernloven', 'fhl': 'folkehelseloven', 'kl': 'kommuneloven',
    'pbl': 'plan- og bygningsloven', 'ksl': 'krisesenterloven', 'hfl': 'helseforetaksloven',
    'pjl': 'pasientjournalloven', 'hrl': 'helseregisterloven', 'ftrl': 'folketrygdloven',
    'bvl': 'barnevernsloven', 'smvl': 'smittevernloven', 'popl': 'personopplysningsloven',
    'husl': 'husleieloven', 'flf': 'fastlegeforskriften', 'amf': 'akuttmedisinforskriften',
}

def kind(c):
    if c.startswith('NOU '): return 'nou'
    if c.startswith(('Prop. ', 'St.prp. ', 'Ot.prp. ')): return 'prop'
    if c.startswith('Meld. St. '): return 'meld'
    if c.startswith('St.meld. '): return 'stmeld'
    if c.startswith('Innst. '): return 'innst'
    if c.startswith('Dokument 8:'): return 'dokument8'
    if c.startswith('FOR-') or c.split(' §')[0].endswith(('forskriften', 'forskrifta')): return 'regulation'
    return 'law'

def expand(c):
    c = c.strip()
    head, _, rest = c.partition(' ')
    if head in ALIASES:
        c = ALIASES[head] + (' ' + rest if rest else '')
    return c

ANN = re.compile(r'\[\[([^|\]]+)\|(.+?)\]\]', re.S)
CAND = re.compile(r'§|\bNOU\b|\bProp\.|Meld\.|St\.meld|St\.prp|Ot\.prp|Innst\.|Dokument|LOV-|FOR-|\w+lov(en|a)\b|\w*forskrift(en|a)?\b|\b[Ll]ov \d', re.I)

def main():
    root = pathlib.Path(__file__).parent
    (root / 'docs').mkdir(exist_ok=True)
    total = collections.Counter()
    for ann in sorted((root / 'annotated').glob('*.ann.txt')):
        name = ann.name[:-len('.ann.txt')]
        src = ann.read_text(encoding='utf-8')
        counts = collections.OrderedDict()
        for m in ANN.finditer(src):
            for c in m.group(1).split(';'):
                c = expand(c)
                counts[c] = counts.get(c, 0) + 1
        text = ANN.sub(lambda m: m.group(2), src)
        (root / 'docs' / f'{name}.txt').write_text(text, encoding='utf-8')
        with open(root / 'docs' / f'{name}.labels.tsv', 'w', encoding='utf-8') as f:
            for c, n in counts.items():
                f.write(f'{c}\t{n}\t{kind(c)}\n')
                total[kind(c)] += n
        body = '\n'.join(l for l in text.splitlines() if not l.startswith('# '))
        words = len(body.split())
        # candidates outside annotations, for manual review
        masked = ANN.sub(lambda m: '\u2588' * len(m.group(0)), src)
        print(f'== {name}: {words} words, {sum(counts.values())} citations, {len(counts)} distinct')
        for m in CAND.finditer(masked):
            s = max(0, m.start() - 40); e = min(len(masked), m.end() + 40)
            if masked[m.start():m.end()].startswith('\u2588'): continue
            print('   unannotated:', masked[s:e].replace('\n', ' ').replace('\u2588', '#'))
    print('occurrences per kind:', dict(total))

if __name__ == '__main__':
    main()
