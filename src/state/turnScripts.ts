import { createHash } from 'node:crypto';

/**
 * The Lua the turn gate and the state store share. A conversation's turn state lives in its state hash
 * (one key, so one Cluster slot): `n` the last ticket given out, `s` the ticket being served, `d` the
 * activities handled lately, as "\n<digest> <expiry, Redis seconds>" entries, newest last.
 */

/** How long a handled activity is remembered, so a redelivery within it is not processed again. */
export const SEEN_SECONDS = 10 * 60;

/** How many handled activities a conversation remembers at most (redeliveries come within minutes). */
export const SEEN_KEPT = 16;

/** The short, fixed-size name of an activity in a conversation's handled list. */
export function activityDigest(activityId: string): string {
  return createHash('sha256').update(activityId).digest('base64url').slice(0, 12);
}

/** Redis's clock in milliseconds: `local now_ms = ...`. */
export const NOW_MS = `
local clock = redis.call('TIME')
local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/** `handled(hash, digest, now_ms)`: was this activity handled within its remembered time? */
export const HANDLED = `
local function handled(hash, digest, now_ms)
  if digest == '' then return false end
  local list = redis.call('HGET', hash, 'd')
  if not list then return false end
  -- A plain find: a digest is base64url, and '-' is a pattern character in Lua.
  local _, found = string.find(list, '\\n' .. digest .. ' ', 1, true)
  local at = found and string.match(list, '^(%d+)', found + 1)
  return at ~= nil and tonumber(at) * 1000 > now_ms
end
`;

/** `remember(hash, digest, seconds, now_ms)`: adds the activity to the handled list, dropping expired entries. */
export const REMEMBER = `
local function remember(hash, digest, seconds, now_ms)
  if digest == '' then return end
  local kept = {}
  for entry, at in string.gmatch(redis.call('HGET', hash, 'd') or '', '\\n(%S+) (%d+)') do
    if tonumber(at) * 1000 > now_ms and entry ~= digest then kept[#kept + 1] = '\\n' .. entry .. ' ' .. at end
  end
  local first = math.max(1, #kept - ${SEEN_KEPT - 2})
  local until_s = math.floor(now_ms / 1000) + tonumber(seconds)
  redis.call('HSET', hash, 'd', table.concat(kept, '', first) .. '\\n' .. digest .. ' ' .. until_s)
end
`;

/** `hand_over(hash, lease, ticket)`: drops the ticket's lease and lets the next ticket go. */
export const HAND_OVER = `
local function hand_over(hash, lease, ticket)
  redis.call('DEL', lease)
  local serving = tonumber(redis.call('HGET', hash, 's') or '0')
  if serving == tonumber(ticket) then redis.call('HSET', hash, 's', serving + 1) end
end
`;
