// GET /api/v4/groups as an administrator sees it: every group, 20 a page unless per_page says otherwise (at most 100),
// with the offset pagination headers, and — AI features being licensed — the cascaded duo_features_enabled and
// lock_duo_features_enabled. Sources (gitlab-ee 6714c9136): lib/api/groups.rb (find_groups: all_available for who can
// read all resources; present_groups with Entities::Group), ee/lib/ee/api/entities/group.rb (the Duo fields, for
// :admin_group), ee/app/models/ee/namespace_setting.rb (cascading_attr :duo_features_enabled; duo_availability),
// lib/gitlab/pagination/offset_header_builder.rb (X-Per-Page, X-Page, X-Next-Page, X-Prev-Page, X-Total, X-Total-Pages).
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { GitLabState, GroupOption } from './config.js';

/**
 * A group's duo_features_enabled: a locked ancestor's (or the locked instance's) value, else its own, else its parent's,
 * else the instance's. `locked` tells whether that value binds its subgroups (its own lock or an ancestor's).
 */
function cascaded(state: GitLabState, group: GroupOption): { enabled: boolean; locked: boolean } {
  const parent = group.parent ? state.groups.find((g) => g.path === group.parent) : undefined;
  const { duoFeaturesEnabled, lockDuoFeaturesEnabled } = state.applicationSettings;
  const above = parent ? cascaded(state, parent) : { enabled: duoFeaturesEnabled, locked: lockDuoFeaturesEnabled };
  if (above.locked) return above;
  return { enabled: group.duoFeaturesEnabled ?? above.enabled, locked: group.lockDuoFeaturesEnabled ?? false };
}

/** Kaminari's page parameters as Grape reads them: per_page defaults to 20 and is capped at 100 (max_per_page). */
function pageParams(query: URLSearchParams): { page: number; perPage: number } {
  const int = (v: string | null, fallback: number) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : fallback);
  return { page: int(query.get('page'), 1), perPage: Math.min(int(query.get('per_page'), 20), 100) };
}

/** Answers GET /api/v4/groups. */
export function listGroups(state: GitLabState, query: URLSearchParams, res: ServerResponse): void {
  const { page, perPage } = pageParams(query);
  const all = [...state.groups].sort((a, b) => a.path.localeCompare(b.path));
  const ids = new Map(all.map((g, i) => [g.path, i + 1]));
  const totalPages = Math.max(1, Math.ceil(all.length / perPage));
  const body = all.slice((page - 1) * perPage, page * perPage).map((g) => {
    const enabled = cascaded(state, g).enabled;
    return {
      id: ids.get(g.path),
      name: g.path.split('/').pop(),
      path: g.path.split('/').pop(),
      full_path: g.path,
      parent_id: g.parent ? (ids.get(g.parent) ?? null) : null,
      duo_features_enabled: enabled,
      // The entity exposes the group's own lock column; an ancestor's lock shows only through the value.
      lock_duo_features_enabled: g.lockDuoFeaturesEnabled ?? false,
    };
  });
  sendJson(res, 200, body, {
    'x-per-page': String(perPage),
    'x-page': String(page),
    'x-next-page': page < totalPages ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
    'x-total': String(all.length),
    'x-total-pages': String(totalPages),
  });
}
