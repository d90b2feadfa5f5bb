/**
 * AV1 levels (AV1 spec Annex A.3, table "General tier and level limits"): picture size, dimensions,
 * luma samples per second shown, and the Main tier's bit rate for profile 0 (Main), in kbit/s. Level
 * 2.0 is the floor (every AV1 decoder has it); the unused levels (2.2, 2.3, 3.2, 3.3, 4.2, 4.3) have no
 * limits defined and are skipped, as encoders do.
 */
const LEVELS: readonly {
  idx: number;
  picSize: number;
  maxWidth: number;
  maxHeight: number;
  displayRate: number;
  mainKbps: number;
}[] = [
  { idx: 0, picSize: 147_456, maxWidth: 2048, maxHeight: 1152, displayRate: 4_423_680, mainKbps: 1_500 },
  { idx: 1, picSize: 278_784, maxWidth: 2816, maxHeight: 1584, displayRate: 8_363_520, mainKbps: 3_000 },
  { idx: 4, picSize: 665_856, maxWidth: 4352, maxHeight: 2448, displayRate: 19_975_680, mainKbps: 6_000 },
  { idx: 5, picSize: 1_065_024, maxWidth: 5504, maxHeight: 3096, displayRate: 31_950_720, mainKbps: 10_000 },
  { idx: 8, picSize: 2_359_296, maxWidth: 6144, maxHeight: 3456, displayRate: 70_778_880, mainKbps: 12_000 },
  { idx: 9, picSize: 2_359_296, maxWidth: 6144, maxHeight: 3456, displayRate: 141_557_760, mainKbps: 20_000 },
  {
    idx: 12,
    picSize: 8_912_896,
    maxWidth: 8192,
    maxHeight: 4352,
    displayRate: 267_386_880,
    mainKbps: 30_000,
  },
  {
    idx: 13,
    picSize: 8_912_896,
    maxWidth: 8192,
    maxHeight: 4352,
    displayRate: 534_773_760,
    mainKbps: 40_000,
  },
  {
    idx: 14,
    picSize: 8_912_896,
    maxWidth: 8192,
    maxHeight: 4352,
    displayRate: 1_069_547_520,
    mainKbps: 60_000,
  },
  {
    idx: 15,
    picSize: 8_912_896,
    maxWidth: 8192,
    maxHeight: 4352,
    displayRate: 1_069_547_520,
    mainKbps: 60_000,
  },
  {
    idx: 16,
    picSize: 35_651_584,
    maxWidth: 16384,
    maxHeight: 8704,
    displayRate: 1_069_547_520,
    mainKbps: 60_000,
  },
  {
    idx: 17,
    picSize: 35_651_584,
    maxWidth: 16384,
    maxHeight: 8704,
    displayRate: 2_139_095_040,
    mainKbps: 100_000,
  },
  {
    idx: 18,
    picSize: 35_651_584,
    maxWidth: 16384,
    maxHeight: 8704,
    displayRate: 4_278_190_080,
    mainKbps: 160_000,
  },
];

/**
 * The lowest AV1 level (seq_level_idx: 8 is level 4.0, 13 is 5.1) whose Main tier allows this frame
 * size, frame rate and peak bit rate. SVT-AV1 codes the width in multiples of 8 (a 426-wide picture is
 * 432 wide inside the stream), so the size is checked at that. The encoder is told this level, so the
 * CODECS string names what the sequence header says (checked against a real encode in the tests).
 */
export function av1Level(width: number, height: number, fps: number, maxrateKbps: number): number {
  const codedWidth = Math.ceil(width / 8) * 8;
  const codedHeight = Math.ceil(height / 8) * 8;
  const picSize = codedWidth * codedHeight;
  const fits = LEVELS.find(
    (level) =>
      picSize <= level.picSize &&
      codedWidth <= level.maxWidth &&
      codedHeight <= level.maxHeight &&
      picSize * fps <= level.displayRate &&
      maxrateKbps <= level.mainKbps,
  );
  return (fits ?? LEVELS[LEVELS.length - 1]!).idx;
}

/** SVT-AV1's `level` parameter: 4.0 is written 40. */
export function svtLevelParam(seqLevelIdx: number): string {
  return String((2 + Math.floor(seqLevelIdx / 4)) * 10 + (seqLevelIdx % 4));
}

/**
 * RFC 6381 codecs string for AV1 (AV1 ISO-BMFF binding, "Codecs Parameter String"): Main profile,
 * two-digit level, Main tier, 8-bit — `av01.0.08M.08` for 1080p30. The optional colour fields are left
 * out, which means BT.709 limited range 4:2:0, what the ladder produces.
 */
export function av1MainCodecs(seqLevelIdx: number): string {
  return `av01.0.${String(seqLevelIdx).padStart(2, '0')}M.08`;
}
