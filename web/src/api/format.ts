/** The catalog stores genres in lower case ("science fiction"); people read "Science fiction". */
export function genreLabel(genre: string): string {
  return genre.charAt(0).toUpperCase() + genre.slice(1);
}
