#!/usr/bin/env python3
"""refs-v4 builder (written fresh for this set; CC0).

src/NAME.ann.txt  -> annotated/NAME.ann.txt (aliases expanded, ranges spelled out)
                  -> docs/NAME.txt          (markup stripped)
                  -> docs/NAME.labels.tsv   (canonical, count, kind; order of first occurrence)
Markup: [[canon;canon...|surface]]. In canon, a leading alias (hol, pbrl, ...) is expanded,
and "X § 6-1..6-3" / "X § 16..19" expands to every paragraph in the numeric range.
Also prints un-annotated look-alikes (§, NOU, Prop., lov, forskrift, ids) for review,
and re-checks that labels match the annotated file and stripped text equals docs text.
"""
import re, sys, pathlib, collections

ROOT = pathlib.Path(__file__).resolve().parent
ALIAS = {
    'hol': 'helse- og omsorgstjenesteloven',
    'pbrl': 'pasient- og brukerrettighetsloven',
    'sphl': 'spesialisthelsetjenesteloven',
    'fhl': 'folkehelseloven',
    'hpl': 'helsepersonelloven',
    'koml': 'kommuneloven',
    'pjl': 'pasientjournalloven',
    'hfl': 'helseforetaksloven',
    'phvl': 'psykisk helsevernloven',
    'fvl': 'forvaltningsloven',
    'pbl': 'plan- og bygningsloven',
    'smvl': 'smittevernloven',
    'offl': 'offentleglova',
    'bvl': 'barnevernsloven',
    'aml': 'arbeidsmiljøloven',
    'flf': 'fastlegeforskriften',
    'akf': 'akuttmedisinforskriften',
    'prf': 'prioriteringsforskriften',
}
MARK = re.compile(r'\[\[(.*?)\|(.*?)\]\]', re.S)

def expand_one(c):
    c = c.strip()
    head, sep, tail = c.partition(' ')
    if head in ALIAS:
        c = ALIAS[head] + (' ' + tail if tail else '')
    m = re.fullmatch(r'(.*) § (\d+-)?(\d+)\.\.(\d+-)?(\d+)', c)
    if m:
        base, ch1, a, ch2, b = m.groups()
        ch = ch1 or ''
        if (ch2 or '') not in ('', ch):
            raise SystemExit('range across chapters: ' + c)
        return [f'{base} § {ch}{i}' for i in range(int(a), int(b) + 1)]
    return [c]

def kind(c):
    base = c.split(' § ')[0]
    for pre, k in (('NOU ', 'nou'), ('Prop. ', 'prop'), ('Meld. St.', 'meld'), ('St.meld.', 'stmeld'),
                   ('St.prp.', 'stprp'), ('Ot.prp.', 'otprp'), ('Innst.', 'innst'), ('Dokument 8', 'dokument8'),
                   ('FOR-', 'regulation'), ('LOV-', 'law')):
        if base.startswith(pre):
            return k
    return 'regulation' if 'forskrift' in base else 'law'

def check_canon(c):
    pats = [r'NOU \d{4}: \d+', r'Prop\. \d+ [LS] \(\d{4}–\d{4}\)', r'Meld\. St\. \d+ \(\d{4}–\d{4}\)',
            r'(St\.meld|St\.prp|Ot\.prp)\. nr\. \d+ \(\d{4}–\d{4}\)', r'Innst\. \d+ [LS] \(\d{4}–\d{4}\)',
            r'Innst\. [OS]\. nr\. \d+ \(\d{4}–\d{4}\)', r'Dokument 8:\d+ [LS] \(\d{4}–\d{4}\)',
            r'(LOV|FOR)-\d{4}-\d\d-\d\d-\d+( § [\d-]+( [a-z])?)?',
            r'[a-zæøå][\wæøå\- ]*?(loven|lova|forskriften)( § [\d-]+( [a-z])?)?',
            r'forskrift om [\wæøå\- ]+']
    if not any(re.fullmatch(p, c) for p in pats):
        raise SystemExit('odd canonical: ' + repr(c))

LOOK = re.compile(r'§|NOU|Prop\.|Meld\.|St\.meld|St\.prp|Ot\.prp|Innst\.|Dokument 8|LOV-|FOR-|'
                  r'\blov(en|a)?\b|\w+(loven|lova|forskriften|forskrifta)\b|forskrift ', re.I)

def build(name):
    src = (ROOT / 'src' / f'{name}.ann.txt').read_text()
    counts = collections.OrderedDict()
    def rep(m):
        cs = []
        for c in m.group(1).split(';'):
            cs += expand_one(c)
        for c in cs:
            check_canon(c)
            counts[c] = counts.get(c, 0) + 1
        return '[[' + ';'.join(cs) + '|' + m.group(2) + ']]'
    ann = MARK.sub(rep, src)
    plain = MARK.sub(lambda m: m.group(2), ann)
    (ROOT / 'annotated' / f'{name}.ann.txt').write_text(ann)
    (ROOT / 'docs' / f'{name}.txt').write_text(plain)
    with open(ROOT / 'docs' / f'{name}.labels.tsv', 'w') as f:
        for c, n in counts.items():
            f.write(f'{c}\t{n}\t{kind(c)}\n')
    # review: look-alikes outside markup
    outside = MARK.sub(lambda m: '\x00' * len(m.group(0)), ann)
    for ln, line in enumerate(outside.split('\n'), 1):
        for m in LOOK.finditer(line):
            s = line[max(0, m.start() - 30): m.end() + 30].replace('\x00', '·')
            print(f'  [review] {name}:{ln}: …{s}…', file=sys.stderr)
    return counts, plain

def check(name):
    ann = (ROOT / 'annotated' / f'{name}.ann.txt').read_text()
    doc = (ROOT / 'docs' / f'{name}.txt').read_text()
    assert MARK.sub(lambda m: m.group(2), ann) == doc, name + ': stripped text differs'
    assert '[[' not in doc and ']]' not in doc
    c = collections.Counter(x for m in MARK.finditer(ann) for x in m.group(1).split(';'))
    lab = {}
    for line in (ROOT / 'docs' / f'{name}.labels.tsv').read_text().splitlines():
        k, n, kd = line.split('\t')
        lab[k] = int(n)
        assert kd == kind(k)
    assert lab == dict(c), name + ': labels differ'
    l = doc.split('\n')
    assert l[0].startswith('# self: ') and l[1] in ('# lang: nb', '# lang: nn')

if __name__ == '__main__':
    names = sorted(p.name[:-8] for p in (ROOT / 'src').glob('*.ann.txt'))
    if '--check' in sys.argv:   # verify existing docs/ and annotated/ only, no rebuild
        for n in sorted(p.name[:-8] for p in (ROOT / 'annotated').glob('*.ann.txt')):
            check(n)
        print('ok')
        sys.exit(0)
    tot = collections.Counter()
    kinds = ['nou', 'prop', 'meld', 'stmeld', 'stprp', 'otprp', 'innst', 'dokument8', 'law', 'regulation']
    print('| document | words | ' + ' | '.join(kinds) + ' | total (distinct) |')
    print('| --- ' * (len(kinds) + 3) + '|')
    for n in names:
        counts, plain = build(n)
        check(n)
        words = len(plain.split('\n', 2)[2].split())
        per = collections.Counter()
        for c, k in counts.items():
            per[kind(c)] += k
        tot.update(per)
        print(f'| {n} | {words} | ' + ' | '.join(str(per[k]) for k in kinds) +
              f' | {sum(per.values())} ({len(counts)}) |')
    print('| **all** | | ' + ' | '.join(str(tot[k]) for k in kinds) + f' | {sum(tot.values())} |')
