"""What campaigns do when members act: challenge progress, referrals (bus handlers)."""
