import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { profileLocksApi, profilesApi, type ListedProfile } from '../api/endpoints';
import type { Profile } from '@marquee/contracts/api';
import {
  ADULT_DEFAULT_MATURITY,
  KIDS_MAX_MATURITY,
  MATURITY_RATINGS,
  maturityAllows,
  profileCeiling,
  type Maturity,
} from '@marquee/contracts/maturity';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import { useDocumentTitle } from '../app/document-title';
import { useLoad } from '../app/use-api';
import { Avatar } from '../components/Avatar';
import { failureText } from '../components/form-fields';
import { FormDialog } from '../components/FormDialog';
import { ProfilePinDialog } from './ProfilePinDialog';

/** The PIN the page is asking for: to open a locked profile, or to let this device out of a kids profile. */
interface PinAsk {
  profile: Pick<ListedProfile, 'profileId' | 'name'>;
  leaving: boolean;
  /** The profile that was chosen, opened once the PIN is right. */
  then: ListedProfile;
}

export function ProfilesPage() {
  const session = useSession();
  useDocumentTitle('Who’s watching?');
  const profiles = useLoad('profiles', (signal) => profilesApi.list(signal));
  const [manageAsked, setManaging] = useState(false);
  const [editingAsked, setEditing] = useState<Profile | 'new' | null>(null);
  // A kids profile may switch to another profile but never add, change or delete one: the controls
  // are not shown, and the state that would open them is ignored.
  const mayManage = !session.profile?.kids;
  const managing = mayManage && manageAsked;
  const editing = mayManage ? editingAsked : null;
  const loaded = profiles.data !== undefined;
  const [pinAsk, setPinAsk] = useState<PinAsk | null>(null);
  const [chooseError, setChooseError] = useState<string | null>(null);

  const select = (p: ListedProfile) => {
    session.selectProfile(p);
    navigate('/');
  };
  /**
   * Tells users this device chose `p` (a kids profile with a PIN keeps the device in it), then asks
   * for a PIN where one is needed: the kids profile's, when the device is kept there and chose another
   * profile (403 profile.confined names it); the profile's own, when it is a locked adult profile.
   */
  const open = async (p: ListedProfile) => {
    setChooseError(null);
    try {
      await profileLocksApi.enter(p.profileId);
    } catch (err) {
      const keptIn = err instanceof ApiError && err.code === 'profile.confined' ? err.body.profileId : null;
      const kids = profiles.data?.find((k) => k.profileId === keptIn);
      if (kids) return setPinAsk({ profile: kids, leaving: true, then: p });
      return setChooseError(failureText(err));
    }
    if (p.locked && !p.kids) return setPinAsk({ profile: p, leaving: false, then: p });
    select(p);
  };
  const choose = (p: ListedProfile) => {
    if (managing) return setEditing(p);
    void open(p);
  };

  return (
    <main className="profiles">
      <h1>{managing ? 'Manage profiles' : "Who's watching?"}</h1>
      {profiles.error && (
        <p className="error" role="alert">
          {profiles.error.message}
        </p>
      )}
      {chooseError && (
        <p className="error" role="alert">
          {chooseError}
        </p>
      )}
      {!loaded && !profiles.error && <p className="loading">Loading profiles…</p>}
      <ul className="profile-grid">
        {(profiles.data ?? []).map((p) => (
          <li key={p.profileId}>
            <button
              className="profile-tile"
              onClick={() => choose(p)}
              aria-label={managing ? `Edit ${p.name}` : `Watch as ${p.name}${p.locked ? ' (locked)' : ''}`}
            >
              <Avatar name={p.name} kids={p.kids} editing={managing} />
              <span>{p.name}</span>
              {p.kids && <span className="badge">Kids</span>}
              {p.locked && (
                <span className="profile-lock" aria-hidden="true" title="PIN">
                  🔒
                </span>
              )}
            </button>
          </li>
        ))}
        {/* Only once the list is in: "Add profile" alone would flash before the profiles appear. */}
        {mayManage && profiles.data !== undefined && profiles.data.length < 5 && (
          <li>
            <button className="profile-tile add" onClick={() => setEditing('new')} aria-label="Add profile">
              <span className="avatar add-avatar">+</span>
              <span>Add profile</span>
            </button>
          </li>
        )}
      </ul>
      {mayManage && loaded && (
        <button className="ghost" onClick={() => setManaging((m) => !m)}>
          {managing ? 'Done' : 'Manage profiles'}
        </button>
      )}
      {pinAsk && (
        <ProfilePinDialog
          profile={pinAsk.profile}
          leaving={pinAsk.leaving}
          onCancel={() => setPinAsk(null)}
          onUnlocked={() => {
            const next = pinAsk.then;
            setPinAsk(null);
            // Out of the kids profile, the chosen one may have a PIN of its own: open asks for it.
            if (pinAsk.leaving) void open(next);
            else select(next);
          }}
        />
      )}
      {editing && (
        <ProfileEditor
          profile={editing === 'new' ? null : editing}
          onClose={(changed) => {
            setEditing(null);
            if (changed) profiles.reload();
          }}
        />
      )}
    </main>
  );
}

function ProfileEditor({
  profile,
  onClose,
}: {
  profile: Profile | null;
  onClose: (changed: boolean) => void;
}) {
  const session = useSession();
  const [name, setName] = useState(profile?.name ?? '');
  const [kids, setKids] = useState(profile?.kids ?? false);
  const [chosenMaturity, setMaxMaturity] = useState<Maturity>(profile?.maxMaturity ?? ADULT_DEFAULT_MATURITY);
  // What the select shows is what is saved: for a kids profile the choice is capped at PG (an adult
  // default of NC-17 is not among a kids profile's options, so the select showed G and the save sent PG).
  const maxMaturity = profileCeiling({ kids, maxMaturity: chosenMaturity });
  const [error, setError] = useState<string | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const body = {
        name,
        kids,
        maxMaturity,
      };
      if (profile) await profilesApi.update(profile.profileId, body);
      else await profilesApi.create(body);
      onClose(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save the profile');
    }
  };
  const remove = async () => {
    if (!profile) return;
    try {
      await profilesApi.remove(profile.profileId);
      if (session.profile?.profileId === profile.profileId) session.selectProfile(null);
      onClose(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not delete the profile');
    }
  };

  return (
    <FormDialog
      title={profile ? 'Edit profile' : 'Add profile'}
      error={error}
      onSubmit={(e) => void save(e)}
      onCancel={() => onClose(false)}
      actions={
        <>
          <button className="primary" type="submit">
            Save
          </button>
          {profile && (
            <button type="button" className="danger" onClick={() => void remove()}>
              Delete profile
            </button>
          )}
          <button type="button" className="ghost" onClick={() => onClose(false)}>
            Cancel
          </button>
        </>
      }
    >
      <label>
        Name
        <input autoFocus required maxLength={40} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={kids} onChange={(e) => setKids(e.target.checked)} />
        Kids profile (G and PG titles only)
      </label>
      <label>
        Maturity limit
        <select value={maxMaturity} onChange={(e) => setMaxMaturity(e.target.value as Maturity)}>
          {MATURITY_RATINGS.filter((m) => !kids || maturityAllows(KIDS_MAX_MATURITY, m)).map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
    </FormDialog>
  );
}
