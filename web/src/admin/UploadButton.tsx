import { useRef, useState } from 'react';
import * as tus from 'tus-js-client';
import { accessToken } from '../api/client';

/**
 * Uploads a source with tus. tus-js-client remembers each upload's URL in localStorage by file
 * fingerprint, so after a reload (or a dropped connection) choosing the same file resumes it.
 */
export function UploadButton({
  titleId,
  titleName,
  hasSource,
  onDone,
}: {
  titleId: string;
  titleName: string;
  /** A source was uploaded before: a new upload replaces it. */
  hasSource: boolean;
  onDone: () => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [resumed, setResumed] = useState(false);
  // A subtitle file joins the title's video (re-packaged, not re-encoded, when it is ready already).
  const [subtitle, setSubtitle] = useState(false);

  const start = async (file: File) => {
    setError(null);
    setProgress(0);
    setSubtitle(/\.(srt|vtt)$/i.test(file.name));
    const upload = new tus.Upload(file, {
      endpoint: '/api/admin/uploads',
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: { titleId, filename: file.name },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      // Long uploads outlive an access token: fetch a fresh one for every request.
      onBeforeRequest: async (req) => {
        const token = await accessToken();
        if (token) req.setHeader('Authorization', `Bearer ${token}`);
      },
      onProgress: (sent, total) => setProgress(total > 0 ? sent / total : 0),
      onError: (err) => {
        setError(err.message.split('\n')[0] ?? 'Upload failed');
        setProgress(null);
      },
      onSuccess: () => {
        setProgress(1);
        onDone();
      },
    });
    const previous = await upload.findPreviousUploads();
    const mine = previous.find((p) => p.metadata.titleId === titleId);
    if (mine) {
      upload.resumeFromPreviousUpload(mine);
      setResumed(true);
    }
    upload.start();
  };

  return (
    <div className="upload">
      <input
        ref={input}
        type="file"
        accept="video/*,.mkv,.mov,.mp4,.srt,.vtt"
        aria-label={`Source file for ${titleName}`}
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void start(file);
          e.target.value = '';
        }}
      />
      <button
        className="secondary small"
        aria-label={`${hasSource ? 'Replace' : 'Upload'} source for ${titleName}`}
        onClick={() => input.current?.click()}
        disabled={progress !== null && progress < 1}
      >
        {hasSource ? 'Replace…' : 'Upload…'}
      </button>
      {progress !== null && (
        <span
          className="upload-progress"
          role="progressbar"
          aria-label={`Upload of ${titleName}`}
          aria-valuenow={Math.round(progress * 100)}
          aria-valuemin={0}
          aria-valuemax={100}
        >
          <span style={{ width: `${progress * 100}%` }} />
          <em>
            {progress >= 1
              ? subtitle
                ? 'Subtitles uploaded: added in a moment'
                : 'Uploaded'
              : `${(progress * 100).toFixed(0)}%`}
            {resumed && progress < 1 ? ' (resumed)' : ''}
          </em>
        </span>
      )}
      {error && <span className="error">{error}</span>}
    </div>
  );
}
