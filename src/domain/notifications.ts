/** お知らせ: to everyone (portal top, applicationId null) or to one application (its status page, section 9). */
export interface Notification {
  readonly id: string;
  readonly applicationId: string | null;
  readonly title: string;
  readonly body: string;
  readonly publishedAt: Date;
}
