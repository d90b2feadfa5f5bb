import { describe, expect, it } from 'vitest';
import { cueTime, planTrickplay, trickplayVtt } from './trickplay.js';

describe('planTrickplay', () => {
  it('takes a thumbnail every 2 s for short titles, in sheets of up to 10×10', () => {
    expect(planTrickplay(1920, 1080, 60)).toEqual({
      intervalSeconds: 2,
      thumbWidth: 160,
      thumbHeight: 90,
      columns: 10,
      rows: 3,
      count: 30,
      sheets: 1,
    });
  });

  it('spaces thumbnails every 5 s for long titles and keeps the aspect', () => {
    const plan = planTrickplay(1920, 800, 2 * 3600);
    expect(plan).toMatchObject({
      intervalSeconds: 5,
      thumbWidth: 160,
      thumbHeight: 66,
      columns: 10,
      rows: 10,
      count: 1440,
    });
    expect(plan.sheets).toBe(15);
    expect(planTrickplay(1080, 1920, 10)).toMatchObject({
      thumbWidth: 90,
      thumbHeight: 160,
      columns: 5,
      rows: 1,
    });
  });
});

describe('trickplayVtt', () => {
  it('points each interval at its tile, moving to the next sheet when one is full', () => {
    const plan = {
      intervalSeconds: 2,
      thumbWidth: 160,
      thumbHeight: 90,
      columns: 2,
      rows: 2,
      count: 5,
      sheets: 2,
    };
    const vtt = trickplayVtt(plan, 9);
    const cues = vtt.split('\n\n').slice(1);
    expect(cues).toEqual([
      '00:00:00.000 --> 00:00:02.000\ntrickplay/sheet_001.jpg#xywh=0,0,160,90',
      '00:00:02.000 --> 00:00:04.000\ntrickplay/sheet_001.jpg#xywh=160,0,160,90',
      '00:00:04.000 --> 00:00:06.000\ntrickplay/sheet_001.jpg#xywh=0,90,160,90',
      '00:00:06.000 --> 00:00:08.000\ntrickplay/sheet_001.jpg#xywh=160,90,160,90',
      '00:00:08.000 --> 00:00:09.000\ntrickplay/sheet_002.jpg#xywh=0,0,160,90\n',
    ]);
  });

  it('formats cue times past an hour', () => {
    expect(cueTime(3725.5)).toBe('01:02:05.500');
  });
});
