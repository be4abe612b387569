/**
 * A tiny, fixed rule set mapping a flow's server port and SNI / DNS name to a traffic type, so
 * drift can compare traffic-type mixes today. The user-editable rules of the classification
 * work (issue 6, part 2) are meant to replace it; this one is deliberately small.
 */

/** Traffic types of issue 6. */
export const TRAFFIC_TYPES = ['web', 'streaming', 'conferencing', 'messaging', 'dns', 'mail', 'file_transfer', 'vpn_tunnel', 'other'] as const;

/** A traffic type. */
export type TrafficType = (typeof TRAFFIC_TYPES)[number];

/** Name patterns (suffix match on the SNI or DNS query, lower case), checked before ports. */
const NAME_RULES: readonly (readonly [TrafficType, readonly string[]])[] = [
  ['streaming', ['netflix.com', 'nflxvideo.net', 'youtube.com', 'googlevideo.com', 'ytimg.com', 'twitch.tv', 'spotify.com', 'hulu.com']],
  ['conferencing', ['zoom.us', 'webex.com', 'teams.microsoft.com', 'skype.com', 'meet.google.com']],
  ['messaging', ['whatsapp.net', 'whatsapp.com', 'telegram.org', 'signal.org', 'wechat.com', 'weixin.qq.com', 'kakao.com', 'slack.com', 'discord.gg', 'discord.com']],
];

/** Server ports (TCP or UDP) to types. */
const PORT_RULES: ReadonlyMap<number, TrafficType> = new Map<number, TrafficType>([
  [53, 'dns'], [853, 'dns'], [5353, 'dns'],
  [80, 'web'], [443, 'web'], [8080, 'web'], [8443, 'web'],
  [25, 'mail'], [110, 'mail'], [143, 'mail'], [465, 'mail'], [587, 'mail'], [993, 'mail'], [995, 'mail'],
  [20, 'file_transfer'], [21, 'file_transfer'], [22, 'file_transfer'], [69, 'file_transfer'], [445, 'file_transfer'], [2049, 'file_transfer'],
  [1194, 'vpn_tunnel'], [500, 'vpn_tunnel'], [4500, 'vpn_tunnel'], [1701, 'vpn_tunnel'], [1723, 'vpn_tunnel'], [51820, 'vpn_tunnel'], [9001, 'vpn_tunnel'],
  [3478, 'conferencing'], [5060, 'conferencing'], [5061, 'conferencing'], [8801, 'conferencing'],
  [5222, 'messaging'], [5223, 'messaging'],
]);

/** The traffic type of a flow by the rules above; 'other' when none matches. */
export function trafficTypeOf(serverPort: number, sni: string | null, dnsQuery: string | null): TrafficType {
  for (const name of [sni, dnsQuery]) {
    if (name === null || name === '') continue;
    const n = name.toLowerCase().replace(/\.$/, '');
    for (const [type, suffixes] of NAME_RULES) {
      if (suffixes.some((s) => n === s || n.endsWith(`.${s}`))) return type;
    }
  }
  return PORT_RULES.get(serverPort) ?? 'other';
}
