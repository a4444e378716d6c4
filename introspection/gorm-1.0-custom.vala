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

namespace Gorm {
	[Compact]
	public class Expression {
		// The combinators of gorm-expression.h take their operands: as
		// owned parameters of static functions, Vala passes a new reference
		// and the caller's variables stay set (see Gorm-1.0.metadata).
		[CCode (cname = "gorm_expression_add")]
		[Version (since = "1.0")]
		public static Gorm.Expression add (owned Gorm.Expression a, owned Gorm.Expression b);
		[CCode (cname = "gorm_expression_subtract")]
		[Version (since = "1.0")]
		public static Gorm.Expression subtract (owned Gorm.Expression a, owned Gorm.Expression b);
		[CCode (cname = "gorm_expression_multiply")]
		[Version (since = "1.0")]
		public static Gorm.Expression multiply (owned Gorm.Expression a, owned Gorm.Expression b);
		[CCode (cname = "gorm_expression_divide")]
		[Version (since = "1.0")]
		public static Gorm.Expression divide (owned Gorm.Expression a, owned Gorm.Expression b);
		[CCode (cname = "gorm_expression_date_part")]
		[Version (since = "1.0")]
		public static Gorm.Expression date_part (owned Gorm.Expression datetime, Gorm.DatePart part);
		// A null @expression counts rows (COUNT(*)).
		[CCode (cname = "gorm_expression_count")]
		[Version (since = "1.0")]
		public static Gorm.Expression count (owned Gorm.Expression? expression, bool distinct);
		[CCode (cname = "gorm_expression_sum")]
		[Version (since = "1.0")]
		public static Gorm.Expression sum (owned Gorm.Expression expression);
		[CCode (cname = "gorm_expression_avg")]
		[Version (since = "1.0")]
		public static Gorm.Expression avg (owned Gorm.Expression expression);
		[CCode (cname = "gorm_expression_min")]
		[Version (since = "1.0")]
		public static Gorm.Expression min (owned Gorm.Expression expression);
		[CCode (cname = "gorm_expression_max")]
		[Version (since = "1.0")]
		public static Gorm.Expression max (owned Gorm.Expression expression);
	}
}
