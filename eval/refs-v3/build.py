import re,sys,os,collections
A={'hol':'helse- og omsorgstjenesteloven','sphl':'spesialisthelsetjenesteloven','pbrl':'pasient- og brukerrettighetsloven',
'hpl':'helsepersonelloven','fhl':'folkehelseloven','kl':'kommuneloven','fvl':'forvaltningsloven','offl':'offentleglova',
'mval':'merverdiavgiftsloven','aml':'arbeidsmiljøloven','pjl':'pasientjournalloven','phvl':'psykisk helsevernloven',
'smvl':'smittevernloven','pbl':'plan- og bygningsloven','stl':'sosialtjenesteloven','hfl':'helseforetaksloven',
'flf':'fastlegeforskriften','amf':'akuttmedisinforskriften','ftrl':'folketrygdloven','bvl':'barnevernsloven','hrl':'helseregisterloven'}
REG={'fastlegeforskriften','akuttmedisinforskriften','forskrift om kommunal helse- og omsorgsinstitusjon'}
def expand(c):
    c=c.strip(); p=c.split(' ',1)
    if p[0] in A: return A[p[0]]+(' '+p[1] if len(p)>1 else '')
    return c
def kind(c):
    if c.startswith('NOU '): return 'nou'
    if c.startswith(('Prop. ','St.prp.','Ot.prp.')): return 'prop'
    if c.startswith('Meld. St.'): return 'meld'
    if c.startswith('St.meld.'): return 'stmeld'
    if c.startswith('Innst.'): return 'innst'
    if c.startswith('Dokument 8'): return 'dokument8'
    if c.startswith('FOR-') or any(c==r or c.startswith(r+' §') for r in REG): return 'regulation'
    return 'law'
here=os.path.dirname(os.path.abspath(__file__))
summary=[]
for f in sorted(os.listdir(here+'/src')):
    name=f[:-len('.ann.txt')]; src=open(here+'/src/'+f).read()
    cnt=collections.Counter(); order=[]
    def rep(m):
        cans=[expand(c) for c in m.group(1).split(';')]
        for c in cans:
            if c not in cnt: order.append(c)
            cnt[c]+=1
        return '[['+';'.join(cans)+'|'+m.group(2)+']]'
    ann=re.sub(r'\[\[([^|\]]+)\|([^\]]+)\]\]',rep,src,flags=re.S)
    txt=re.sub(r'\[\[[^|\]]+\|([^\]]+)\]\]',r'\1',ann,flags=re.S)
    open(here+'/annotated/'+name+'.ann.txt','w').write(ann)
    open(here+'/docs/'+name+'.txt','w').write(txt)
    with open(here+'/docs/'+name+'.labels.tsv','w') as o:
        for c in order: o.write(f'{c}\t{cnt[c]}\t{kind(c)}\n')
    body='\n'.join(l for l in txt.split('\n') if not l.startswith('# '))
    words=len(body.split())
    k=collections.Counter()
    for c,n in cnt.items(): k[kind(c)]+=n
    summary.append((name,words,k,sum(cnt.values()),len(cnt)))
    # look-alikes not annotated
    plain=re.sub(r'\[\[[^\]]+\]\]','@@',ann,flags=re.S)
    for m in re.finditer(r'(§|NOU|Prop\.|Meld\.|St\.meld|St\.prp|Ot\.prp|Innst\.|Dokument 8|LOV-|FOR-|\blov\b|lova\b|loven\b|forskrift)',plain):
        print('  unannotated?',name,repr(plain[max(0,m.start()-40):m.end()+40]))
K=['nou','prop','meld','stmeld','innst','dokument8','law','regulation']
print('| document | words | '+' | '.join(K)+' | total (distinct) |')
for n,w,k,t,d in summary: print(f'| {n} | {w} | '+' | '.join(str(k[x]) for x in K)+f' | {t} ({d}) |')
