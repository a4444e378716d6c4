// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Declarations vapigen adds to what it reads from Gorm-1.0.gir (see
// Gorm-1.0.metadata, which skips the generated forms of these).

namespace Gorm {
	[Compact]
	public class Filter {
		// gorm_filter_and(), gorm_filter_or() and gorm_filter_not() take
		// their operands: as owned parameters of static functions, Vala
		// passes a new reference and the caller's variables stay set. A
		// null operand gives a filter that fails every query given it.
		[CCode (cname = "gorm_filter_and")]
		[Version (since = "1.0")]
		public static Gorm.Filter and (owned Gorm.Filter? a, owned Gorm.Filter? b);
		[CCode (cname = "gorm_filter_or")]
		[Version (since = "1.0")]
		public static Gorm.Filter or (owned Gorm.Filter? a, owned Gorm.Filter? b);
		[CCode (cname = "gorm_filter_not")]
		[Version (since = "1.0")]
		public static Gorm.Filter not (owned Gorm.Filter? filter);
	}
}
